/**
 * Owns the inference pools: one per enabled engine, started (models loaded and warmed) before
 * the server listens, destroyed in onClose. Routes reach them through `app.speech`.
 */
import fp from "fastify-plugin";
import { isAbsolute, resolve } from "node:path";
import type { Config } from "../config.ts";
import { EnginePool } from "../inference/pool.ts";
import { probeFfmpeg, type FfmpegProbe } from "../pipelines/decode.ts";
import { decideDevice, probeCuda } from "../inference/cuda.ts";

export interface SpeechEngines {
  asr: EnginePool | null;
  tts: EnginePool | null;
  /** DEFAULT_VOICE if installed, else the first installed voice (checked at start). */
  defaultVoice: string;
}

declare module "fastify" {
  interface FastifyInstance {
    speech: SpeechEngines;
    /** `ffmpeg -version` at start: whether non-WAV uploads can be decoded. */
    ffmpeg: FfmpegProbe;
  }
}

export function resolveModelsDir(config: Config): string {
  return isAbsolute(config.MODELS_DIR) ? config.MODELS_DIR : resolve(process.cwd(), config.MODELS_DIR);
}

export default fp(
  async function speechEngines(app, opts: { config: Config }) {
    const { config } = opts;
    const modelsDir = resolveModelsDir(config);
    // Decided once here, so a CPU box skips the CUDA attempt (and onnxruntime's native
    // "Failed to load library" lines from every thread) with one plain line instead.
    const cuda = config.DEVICE === "cpu" ? null : decideDevice(config.DEVICE, probeCuda());
    if (cuda) app.log[cuda.level]({ DEVICE: config.DEVICE, using: cuda.device }, cuda.message);
    const common = {
      modelsDir,
      dtype: config.WHISPER_DTYPE,
      features: config.WHISPER_FEATURES,
      device: cuda?.device ?? config.DEVICE,
      ortThreads: config.ORT_THREADS,
      piperDir: config.PIPER_DIR,
      vadModelPath: config.VAD_MODEL_PATH,
      vadThreshold: config.VAD_THRESHOLD,
      skipSilence: config.VAD_SKIP_SILENCE,
      warmup: config.WARMUP,
    };
    const pools: SpeechEngines = {
      defaultVoice: config.DEFAULT_VOICE,
      asr: config.WHISPER_MODEL
        ? new EnginePool({ threads: config.ASR_THREADS, queueMax: config.QUEUE_MAX, retryAfterSeconds: config.RETRY_AFTER_SECONDS, inferenceTimeoutMs: config.INFERENCE_TIMEOUT_MS, worker: { ...common, engine: "asr", model: config.WHISPER_MODEL } })
        : null,
      tts: config.KOKORO_MODEL || config.PIPER_DIR
        ? new EnginePool({ threads: config.TTS_THREADS, queueMax: config.QUEUE_MAX, retryAfterSeconds: config.RETRY_AFTER_SECONDS, inferenceTimeoutMs: config.INFERENCE_TIMEOUT_MS, worker: { ...common, engine: "tts", model: config.KOKORO_MODEL } })
        : null,
    };
    const [ffmpeg, ...started] = await Promise.all([probeFfmpeg(config.FFMPEG_PATH), pools.asr?.start(), pools.tts?.start()]);
    if (ffmpeg.available) app.log.info({ ffmpeg: ffmpeg.path, version: ffmpeg.detail }, "ffmpeg found");
    else app.log.warn({ ffmpeg: ffmpeg.path, error: ffmpeg.detail }, "ffmpeg not runnable: only WAV uploads can be transcribed; others answer 503");
    app.decorate("ffmpeg", ffmpeg);
    const voices = pools.tts?.info?.loaded ? pools.tts.info.voices : [];
    if (voices.length > 0 && !voices.includes(config.DEFAULT_VOICE)) {
      pools.defaultVoice = voices[0]!;
      app.log.warn({ DEFAULT_VOICE: config.DEFAULT_VOICE, using: pools.defaultVoice, installed: voices }, "DEFAULT_VOICE is not installed; using the first installed voice");
    }
    for (const info of started) {
      if (!info) continue;
      if (info.loaded) app.log.info({ engine: info.engine, model: info.model, provider: info.provider, loadMs: info.loadMs }, "model loaded");
      else app.log.warn({ engine: info.engine, error: info.error }, "model not loaded; its routes answer 503");
    }
    app.decorate("speech", pools);
    app.addHook("onClose", async function destroyPools() {
      await Promise.all([pools.asr?.close(), pools.tts?.close()]);
    });
  },
  { name: "speech-engines" },
);
