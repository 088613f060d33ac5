/**
 * The ONNX log-mel front end against transformers.js's WhisperFeatureExtractor on the same
 * input: espeak-ng speech, a full 30 s window, longer-than-30 s input (truncated), a few samples,
 * silence. Equal within 2e-4 everywhere (float32 GEMM vs the library's FFT).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WhisperFeatureExtractor } from "@huggingface/transformers";
import { LogMel } from "../src/pipelines/logmel.ts";
import { parseWav } from "../src/pipelines/wav.ts";
import { fixture, MODELS_DIR } from "./helpers/build.ts";
import { TINY_WHISPER } from "./fixtures/tiny-models.ts";

interface Extractor {
  config: { mel_filters: number[][] };
  window: Float64Array;
  _call(a: Float32Array): Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
}

let fe: Extractor;
let mel: LogMel;

beforeAll(async () => {
  const cfg = JSON.parse(readFileSync(join(MODELS_DIR, TINY_WHISPER, "preprocessor_config.json"), "utf8"));
  fe = new WhisperFeatureExtractor(cfg) as unknown as Extractor;
  mel = await LogMel.create({ nFft: 400, hop: 160, nSamples: 480_000, nFrames: 3000, melFilters: fe.config.mel_filters, window: fe.window }, "cpu", 1);
});
afterAll(async () => {
  await mel.release();
});

function noiseTone(seconds: number): Float32Array {
  return Float32Array.from({ length: 16_000 * seconds }, (_v, i) => Math.sin(i * 0.05) * 0.3 + ((i * 7919) % 997) / 5000 - 0.1);
}

describe("ONNX log-mel", () => {
  const inputs: Array<[string, () => Float32Array]> = [
    ["espeak-ng speech", () => parseWav(fixture("speech.wav")).samples],
    ["a full 30 s window", () => noiseTone(30)],
    ["35 s (truncated to 30 s)", () => noiseTone(35)],
    ["29.995 s (reflection reaches real samples)", () => noiseTone(29.995)],
    ["ten samples", () => Float32Array.from({ length: 10 }, (_v, i) => i / 10)],
    ["silence", () => new Float32Array(16_000)],
  ];
  it.each(inputs)("matches the library on %s", async (_name, make) => {
    const audio = make();
    const expected = (await fe._call(audio)).input_features;
    const actual = await mel.compute(audio);
    expect(actual.dims).toEqual(expected.dims);
    let max = 0;
    for (let i = 0; i < actual.data.length; i++) max = Math.max(max, Math.abs(actual.data[i]! - expected.data[i]!));
    expect(max).toBeLessThan(2e-4);
  });
});
