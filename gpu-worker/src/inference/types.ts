/**
 * Messages between the HTTP thread and the inference worker threads, and the results they
 * return. Plain data only (structured-clone safe); audio travels as transferred ArrayBuffers
 * both ways (upload bytes or samples in, encoded speech out), so the HTTP thread copies nothing.
 */
import type { UploadAudio } from "../pipelines/decode.ts";
import type { TimedWord } from "../pipelines/word-timings.ts";

export type EngineName = "asr" | "tts";
export type Provider = "cpu" | "cuda";
export type DevicePreference = "auto" | "cpu" | "cuda";

export interface EngineInfo {
  engine: EngineName;
  loaded: boolean;
  model: string | null;
  provider: Provider | null;
  error: string | null;
  /** ASR: language codes the model accepts (["en"] for an English-only model). */
  languages: string[];
  /** ASR: false for English-only Whisper checkpoints (no language/task tokens). */
  multilingual: boolean;
  /** TTS: voice names found in voices/. */
  voices: string[];
  /** ASR: whether the model can give word timestamps. */
  wordTimestamps: boolean;
  /** ASR: whether the VAD model loaded. */
  vad: boolean;
  sampleRate: number | null;
  loadMs: number | null;
}

export interface WorkerOptions {
  engine: EngineName;
  modelsDir: string;
  model: string;
  dtype: string;
  features: "onnx" | "js";
  device: DevicePreference;
  ortThreads: number;
  /** Folder under modelsDir with Piper voices (TTS); empty = none. */
  piperDir: string;
  vadModelPath: string;
  vadThreshold: number;
  /** Whisper hears only the VAD speech regions (VAD_SKIP_SILENCE); false = the whole clip. */
  skipSilence: boolean;
  warmup: boolean;
  /** Shared with the pool, which can hold tasks at their start (EnginePool.hold, for tests). */
  gate?: Int32Array;
}

export interface TranscribeTask {
  kind: "transcribe";
  /** ffmpeg's mono samples, or WAV bytes converted in the worker; resampled to 16 kHz there. */
  audio: UploadAudio;
  language: string;
  temperature: number;
  words: boolean;
  segments: boolean;
  /**
   * The audio's speech regions when they are already known (seconds, on this audio's timeline):
   * the realtime stream ran Silero frame by frame as the audio arrived, so the worker skips its
   * own VAD pass over the whole turn (~0.35 ms a 32 ms frame: 0.65 s for a 60 s answer).
   */
  speech?: SpeechRegion[];
}

export interface SynthesizeTask {
  kind: "synthesize";
  text: string;
  voice: string;
  speed: number;
  /** What the worker returns in `bytes`: a whole 16-bit WAV file or bare 16-bit LE PCM. */
  encoding: "wav" | "pcm16";
  /** Also return when each written word is spoken (pipelines/word-timings.ts). */
  words?: boolean;
}

export interface InfoTask {
  kind: "info";
}

export type Task = TranscribeTask | SynthesizeTask | InfoTask;

export interface Word {
  word: string;
  start: number;
  end: number;
}

export interface Segment {
  id: number;
  start: number;
  end: number;
  text: string;
}

export interface SpeechRegion {
  start: number;
  end: number;
}

export interface TranscribeResult {
  text: string;
  language: string;
  duration: number;
  segments: Segment[];
  words: Word[];
  speechSeconds: number;
  pauseRatio: number;
  speech: SpeechRegion[];
  /** True when VAD found no speech and Whisper was skipped. */
  skipped: boolean;
  /**
   * What Whisper wrote that was dropped as one of its known inventions (pipelines/hallucination.ts):
   * the whole transcript (`no_speech`: text, words and segments are then empty) or a loop cut
   * from its end (`trimmed`). Null when nothing was dropped.
   */
  discarded: { kind: "no_speech" | "trimmed"; reason: string; text: string } | null;
  /** Seconds of audio Whisper ran on: the joined speech regions (VAD_SKIP_SILENCE), the whole clip, or 0 when skipped. */
  whisperSeconds: number;
  inferenceMs: number;
}

export interface SynthesizeResult {
  /** The speech encoded as asked (`encoding`), in an ArrayBuffer moved from the worker. */
  bytes: Uint8Array;
  /** Samples synthesised (for the audio-seconds metric). */
  samples: number;
  sampleRate: number;
  inferenceMs: number;
  /** With `words`: each written word of the text, its character offsets and when it is spoken. */
  words?: TimedWord[];
  /** Where the word times come from: the model's own token durations, or phoneme counts. */
  timing?: "model" | "estimated";
}
