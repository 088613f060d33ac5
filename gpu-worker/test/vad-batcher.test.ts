/**
 * Streaming VAD in its thread (src/inference/vad-batcher.ts, vad-worker.ts): the real Silero
 * model, many streams batched into one run, each with its own state. A batch must give every
 * stream exactly what running it alone, frame by frame, gives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWav } from "../src/pipelines/wav.ts";
import { SileroVad } from "../src/pipelines/vad.ts";
import { VadBatcher } from "../src/inference/vad-batcher.ts";
import { fixture } from "./helpers/build.ts";

let batcher: VadBatcher;
let vad: SileroVad;
beforeAll(async () => {
  batcher = new VadBatcher({ modelPath: "" });
  vad = await SileroVad.load("", 0.5);
});
afterAll(async () => {
  await batcher.close();
  await vad.release();
});

describe("VadBatcher", () => {
  it("gives each of several concurrent streams (different audio, lengths and chunkings) the probabilities of a run alone", async () => {
    const { samples } = parseWav(fixture("speech.wav"));
    const whole = Math.floor(samples.length / 512) * 512;
    const streams = [samples.subarray(0, whole), samples.subarray(512 * 10, whole), new Float32Array(512 * 40), samples.subarray(512 * 3, 512 * 60)];
    const expected = await Promise.all(streams.map((s) => vad.probabilities(s)));
    const chunk = [1, 2, 3, 5];
    const got = await Promise.all(streams.map(async (audio, k) => {
      let state = VadBatcher.initialState();
      const probs: number[] = [];
      for (let at = 0; at < audio.length; at += 512 * chunk[k]!) {
        const r = await batcher.run(audio.slice(at, Math.min(audio.length, at + 512 * chunk[k]!)), state);
        state = r.state;
        probs.push(...r.probs);
      }
      return probs;
    }));
    got.forEach((probs, k) => {
      expect(probs).toHaveLength(expected[k]!.length);
      probs.forEach((p, i) => expect(p).toBeCloseTo(expected[k]![i]!, 5));
    });
    // The speech is heard: some frame of the first stream is voiced, none of the silent one.
    expect(Math.max(...got[0]!)).toBeGreaterThan(0.9);
    expect(Math.max(...got[2]!)).toBeLessThan(0.1);
  });
});
