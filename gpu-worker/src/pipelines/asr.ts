/**
 * Whisper through the transformers.js ASR pipeline, from a local folder in the onnx-community
 * layout (never the network). CUDA is tried first when DEVICE is auto or cuda (transformers.js
 * does not fall back by itself), then CPU; the one that loaded is reported. Runs inside an ASR
 * worker thread; the caller passes 16 kHz mono audio.
 */
import { existsSync } from "node:fs";
import { assertModelFolder, missingModelMessage } from "../models/missing.ts";
import { env, pipeline, Tensor, type AutomaticSpeechRecognitionPipeline } from "@huggingface/transformers";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { DevicePreference, Provider, Segment, Word } from "../inference/types.ts";
import { LogMel } from "./logmel.ts";

/** Whisper's window; longer audio is chunked with overlapping strides. */
const WINDOW_S = 30;
const STRIDE_S = 5;

export interface WhisperLoadOptions {
  modelsDir: string;
  model: string;
  dtype: string;
  device: DevicePreference;
  ortThreads: number;
  /** onnx = log-mel by the ONNX graph in logmel.ts; js = transformers.js's own extractor. */
  features: "onnx" | "js";
  log: (msg: string) => void;
}

interface FeatureExtractorLike {
  config: { n_fft: number; hop_length: number; n_samples: number; nb_max_frames: number; mel_filters: number[][] };
  window: ArrayLike<number>;
  _call: (audio: Float32Array) => Promise<{ input_features: Tensor }>;
}

/** Swaps the pipeline's JS log-mel extractor for the ONNX graph (same numbers, see logmel.ts). */
async function useOnnxFeatures(asr: AutomaticSpeechRecognitionPipeline, provider: Provider, threads: number): Promise<LogMel> {
  const fe = (asr.processor as unknown as { feature_extractor: FeatureExtractorLike }).feature_extractor;
  const mel = await LogMel.create(
    { nFft: fe.config.n_fft, hop: fe.config.hop_length, nSamples: fe.config.n_samples, nFrames: fe.config.nb_max_frames, melFilters: fe.config.mel_filters, window: fe.window },
    provider,
    threads,
  );
  fe._call = async function onnxLogMel(audio: Float32Array) {
    const { data, dims } = await mel.compute(audio);
    return { input_features: new Tensor("float32", data, dims) };
  };
  return mel;
}

export interface WhisperOutput {
  text: string;
  segments: Segment[];
  words: Word[];
}

interface Chunk {
  text: string;
  timestamp: [number, number | null];
}

export class Whisper {
  readonly provider: Provider;
  readonly languages: string[];
  /** The export has cross-attention outputs and generation_config has alignment_heads. */
  wordTimestamps = false;
  /**
   * False for English-only checkpoints (`*.en`, `is_multilingual: false`): their prompt has no
   * language or task token and transformers.js refuses `language`/`task` for them.
   */
  readonly multilingual: boolean;
  readonly #asr: AutomaticSpeechRecognitionPipeline;
  #mel: LogMel | null = null;

  private constructor(asr: AutomaticSpeechRecognitionPipeline, provider: Provider, languages: string[], multilingual: boolean) {
    this.#asr = asr;
    this.provider = provider;
    this.languages = languages;
    this.multilingual = multilingual;
  }

  static async load(options: WhisperLoadOptions): Promise<Whisper> {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = options.modelsDir.endsWith("/") ? options.modelsDir : `${options.modelsDir}/`;
    const folder = join(options.modelsDir, options.model);
    assertModelFolder("whisper", "WHISPER_MODEL", folder);
    if (!existsSync(join(folder, "generation_config.json"))) throw new Error(missingModelMessage("whisper", "WHISPER_MODEL", folder, "no generation_config.json"));
    const generation = JSON.parse(await readFile(join(folder, "generation_config.json"), "utf8")) as { lang_to_id?: Record<string, number>; alignment_heads?: unknown[]; is_multilingual?: boolean };
    const multilingual = generation.is_multilingual !== false;
    const languages = multilingual ? Object.keys(generation.lang_to_id ?? { "<|en|>": 0 }).map((t) => t.replace(/^<\|(.*)\|>$/, "$1")) : ["en"];
    const attempts: Provider[] = options.device === "cpu" ? ["cpu"] : options.device === "cuda" ? ["cuda", "cpu"] : ["cuda", "cpu"];
    let lastError: unknown = null;
    for (const device of attempts) {
      try {
        const asr = (await pipeline("automatic-speech-recognition", options.model, {
          device,
          dtype: options.dtype as "fp32",
          local_files_only: true,
          session_options: options.ortThreads > 0 ? { intraOpNumThreads: options.ortThreads, interOpNumThreads: 1 } : {},
        })) as AutomaticSpeechRecognitionPipeline;
        const whisper = new Whisper(asr, device, languages, multilingual);
        const sessions = (asr.model as unknown as { sessions: Record<string, { outputNames: string[] }> }).sessions;
        const decoder = sessions.decoder_model_merged ?? sessions.model;
        whisper.wordTimestamps = (generation.alignment_heads?.length ?? 0) > 0 && (decoder?.outputNames ?? []).some((n) => n.startsWith("cross_attentions"));
        if (options.features === "onnx") whisper.#mel = await useOnnxFeatures(asr, device, options.ortThreads);
        options.log(`whisper '${options.model}' loaded on ${device} (log-mel: ${options.features})`);
        return whisper;
      } catch (err) {
        lastError = err;
        options.log(`whisper '${options.model}' could not load on ${device}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async transcribe(audio: Float32Array, options: { language: string; temperature: number; words: boolean; segments: boolean }): Promise<WhisperOutput> {
    const duration = audio.length / 16_000;
    const timestamps = options.words ? "word" : options.segments ? true : false;
    const out = (await this.#asr(audio, {
      // English-only models take neither (the route accepts only 'en' for them).
      ...(this.multilingual ? { language: options.language, task: "transcribe" } : {}),
      return_timestamps: timestamps,
      ...(duration > WINDOW_S ? { chunk_length_s: WINDOW_S, stride_length_s: STRIDE_S } : {}),
      ...(options.temperature > 0 ? { do_sample: true, temperature: options.temperature } : {}),
    } as Record<string, unknown>)) as { text: string; chunks?: Chunk[] };
    const text = out.text.trim();
    const chunks = out.chunks ?? [];
    const end = (c: Chunk) => round2(c.timestamp[1] ?? duration);
    if (options.words) {
      const words = chunks.map((c) => ({ word: c.text.trim(), start: round2(c.timestamp[0]), end: end(c) })).filter((w) => w.word);
      return { text, words, segments: options.segments ? segmentsFromWords(words, text, duration) : [] };
    }
    const segments = chunks
      .map((c, id) => ({ id, start: round2(c.timestamp[0]), end: end(c), text: c.text }))
      .filter((s) => s.text.trim());
    if (options.segments && segments.length === 0 && text) segments.push({ id: 0, start: 0, end: round2(duration), text: ` ${text}` });
    return { text, words: [], segments: segments.map((s, id) => ({ ...s, id })) };
  }

  async dispose(): Promise<void> {
    await this.#mel?.release();
    await this.#asr.dispose();
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Groups words into segments at sentence ends and gaps of 1 s or more. */
export function segmentsFromWords(words: Word[], text: string, duration: number): Segment[] {
  if (words.length === 0) return text ? [{ id: 0, start: 0, end: round2(duration), text: ` ${text}` }] : [];
  const segments: Segment[] = [];
  let current: Word[] = [];
  const flush = () => {
    if (!current.length) return;
    segments.push({ id: segments.length, start: current[0]!.start, end: current.at(-1)!.end, text: ` ${current.map((w) => w.word).join(" ")}` });
    current = [];
  };
  for (const w of words) {
    const prev = current.at(-1);
    if (prev && w.start - prev.end >= 1) flush();
    current.push(w);
    if (/[.!?]$/.test(w.word)) flush();
  }
  flush();
  return segments;
}
