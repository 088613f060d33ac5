/**
 * Whisper's log-mel front end as an ONNX graph run by onnxruntime (on the same execution
 * provider as Whisper), replacing transformers.js's JavaScript feature extractor, which takes
 * ~150+ ms per 30 s window. Same maths as WhisperFeatureExtractor: reflect-pad n_fft/2, periodic
 * Hann window, |STFT|^2 (n_fft 400, hop 160) computed as a strided Conv with a windowed DFT
 * basis, the extractor's own Slaney mel filters, log10 clamped at 1e-10, max - 8 floor,
 * (x + 4) / 4, first 3000 frames.
 */
import * as ort from "onnxruntime-node";
import { GraphBuilder } from "../onnx/builder.ts";
import type { Provider } from "../inference/types.ts";

export interface MelConfig {
  nFft: number;
  hop: number;
  nSamples: number;
  nFrames: number;
  /** [n_mels][n_freq] filters, as WhisperFeatureExtractor computes them. */
  melFilters: number[][];
  /** Analysis window of length n_fft. */
  window: ArrayLike<number>;
}

/**
 * The graph takes the reflect-padded signal cut into hop-sized rows, `rows` [R, hop] with
 * R = F + 2 for F computed frames (F <= n_frames), so that frame i = rows i, i+1 and the first
 * n_fft - 2*hop samples of row i+2 (n_fft 400 = 160 + 160 + 80). Frames past the end of the
 * audio are all zeros (power 0), so only F frames are computed and the rest of the 3000 are
 * zero-padded inside the graph before the log and the global max, exactly as the library's
 * padded 30 s window would give. The DFT is one GEMM with a windowed cos/sin basis.
 */
export function buildLogMelGraph(c: MelConfig): Uint8Array {
  const nFreq = Math.floor(c.nFft / 2) + 1;
  const nMels = c.melFilters.length;
  const tail = c.nFft - 2 * c.hop;
  if (tail <= 0 || tail > c.hop) throw new Error("n_fft must be between 2 and 3 hops");
  const g = new GraphBuilder();
  const rows = g.input("rows", "float", ["rows", c.hop]);
  g.output("input_features", "float", [1, nMels, c.nFrames]);
  const i64 = (v: number[]) => g.constant("int64", [v.length], v);
  const nRows = g.one("Gather", [g.one("Shape", [rows]), g.constant("int64", [], [0])], { axis: 0 });
  const nRows1 = g.one("Unsqueeze", [nRows, i64([0])]);
  const end2 = g.one("Sub", [nRows1, i64([2])]);
  const end1 = g.one("Sub", [nRows1, i64([1])]);
  const a = g.one("Slice", [rows, i64([0]), end2, i64([0])]);
  const b = g.one("Slice", [rows, i64([1]), end1, i64([0])]);
  const c3 = g.one("Slice", [rows, i64([2, 0]), g.one("Concat", [nRows1, i64([tail])], { axis: 0 }), i64([0, 1])]);
  const frames = g.one("Concat", [a, b, c3], { axis: 1 }); // [F, n_fft]
  const basis = new Float32Array(c.nFft * 2 * nFreq); // [n_fft, 2*nFreq]
  for (let n = 0; n < c.nFft; n++) {
    for (let k = 0; k < nFreq; k++) {
      const angle = (2 * Math.PI * k * n) / c.nFft;
      basis[n * 2 * nFreq + k] = c.window[n]! * Math.cos(angle);
      basis[n * 2 * nFreq + nFreq + k] = -c.window[n]! * Math.sin(angle);
    }
  }
  const spec = g.one("MatMul", [frames, g.constant("float", [c.nFft, 2 * nFreq], basis)]); // [F, 2*nFreq]
  const sq = g.one("Mul", [spec, spec]);
  const re2 = g.one("Slice", [sq, i64([0]), i64([nFreq]), i64([1])]);
  const im2 = g.one("Slice", [sq, i64([nFreq]), i64([2 * nFreq]), i64([1])]);
  const power = g.one("Add", [re2, im2]); // [F, nFreq]
  const melT = new Float32Array(nFreq * nMels);
  for (let m = 0; m < nMels; m++) for (let k = 0; k < nFreq; k++) melT[k * nMels + m] = c.melFilters[m]![k]!;
  const mel = g.one("Transpose", [g.one("MatMul", [power, g.constant("float", [nFreq, nMels], melT)])], { perm: [1, 0] }); // [nMels, F]
  const missing = g.one("Sub", [i64([c.nFrames]), g.one("Sub", [nRows1, i64([2])])]);
  const pads = g.one("Concat", [i64([0, 0, 0]), missing], { axis: 0 });
  const full = g.one("Pad", [mel, pads]); // [nMels, n_frames], zeros past the audio
  const log = g.one("Div", [g.one("Log", [g.one("Max", [full, g.constant("float", [], [1e-10])])]), g.constant("float", [], [Math.LN10])]);
  const floor = g.one("Sub", [g.one("ReduceMax", [log], { keepdims: 0 }), g.constant("float", [], [8])]);
  const clamped = g.one("Max", [log, floor]);
  const scaled = g.one("Div", [g.one("Add", [clamped, g.constant("float", [], [4])]), g.constant("float", [], [4])]);
  g.one("Unsqueeze", [scaled, i64([0])], {}, "input_features");
  return g.encode("whisper_log_mel");
}

/**
 * Rows of the reflect-padded, zero-extended 30 s signal needed for the frames that can be
 * non-zero: pad n_fft/2 by reflection at both ends of the n_samples window (as the library
 * does after zero-padding), then cut into hop-sized rows.
 */
export function melRows(audio: Float32Array, c: Pick<MelConfig, "nFft" | "hop" | "nSamples" | "nFrames">): { rows: Float32Array; count: number } {
  const n = Math.min(audio.length, c.nSamples);
  const pad = Math.floor(c.nFft / 2);
  const frames = Math.max(1, Math.min(c.nFrames, Math.ceil((n + pad) / c.hop)));
  const count = frames + 2;
  const rows = new Float32Array(count * c.hop);
  const at = (j: number): number => {
    // index j in the padded signal -> sample of the zero-padded n_samples window
    let i = j - pad;
    if (i < 0) i = -i;
    else if (i >= c.nSamples) i = 2 * (c.nSamples - 1) - i;
    return i < n ? audio[i]! : 0;
  };
  const limit = Math.min(rows.length, n + 2 * pad);
  for (let j = 0; j < limit; j++) rows[j] = at(j);
  if (n + pad >= c.nSamples) for (let j = limit; j < rows.length; j++) rows[j] = at(j);
  return { rows, count };
}

export class LogMel {
  readonly #session: ort.InferenceSession;
  readonly #config: MelConfig;

  private constructor(session: ort.InferenceSession, config: MelConfig) {
    this.#session = session;
    this.#config = config;
  }

  static async create(config: MelConfig, provider: Provider = "cpu", threads = 0): Promise<LogMel> {
    const session = await ort.InferenceSession.create(buildLogMelGraph(config), {
      executionProviders: provider === "cuda" ? ["cuda", "cpu"] : ["cpu"],
      ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    });
    return new LogMel(session, config);
  }

  /** Log-mel features [1, n_mels, n_frames] of up to 30 s of 16 kHz audio (zero-padded, truncated). */
  async compute(audio: Float32Array): Promise<{ data: Float32Array; dims: number[] }> {
    const { rows, count } = melRows(audio, this.#config);
    const out = await this.#session.run({ rows: new ort.Tensor("float32", rows, [count, this.#config.hop]) });
    const t = out.input_features as ort.Tensor;
    return { data: t.data as Float32Array, dims: [...t.dims] };
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}
