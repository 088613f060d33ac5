/**
 * GET /health (no auth): which models are loaded, on which execution provider, and queue
 * depth. 200 when every enabled engine is loaded, 503 otherwise (the container health check
 * and load balancers read the status code; the body says why).
 */
import type { FastifyInstance } from "fastify";
import type { EngineInfo } from "../inference/types.ts";
import type { EnginePool } from "../inference/pool.ts";

const started = Date.now();

function describe(pool: EnginePool | null, defaultVoice: string) {
  if (!pool) return { enabled: false };
  const info: EngineInfo | null = pool.info;
  return {
    enabled: true,
    loaded: info?.loaded ?? false,
    model: info?.model ?? null,
    provider: info?.provider ?? null,
    error: info?.error ?? null,
    queue_depth: pool.queueDepth,
    in_flight: pool.inFlight,
    ...(info?.engine === "asr" ? { vad: info.vad, word_timestamps: info.wordTimestamps, multilingual: info.multilingual, languages: info.languages } : {}),
    ...(info?.engine === "tts" ? { voices: info.voices, default_voice: info.loaded ? defaultVoice : null, sample_rate: info.sampleRate } : {}),
  };
}

export default async function healthRoutes(app: FastifyInstance) {
  app.get("/health", async function health(_request, reply) {
    const { asr, tts } = app.speech;
    const ready = [asr, tts].every((p) => p === null || p.info?.loaded === true);
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? "ok" : "degraded",
      uptime_s: Math.round((Date.now() - started) / 1000),
      queue_depth: (asr?.queueDepth ?? 0) + (tts?.queueDepth ?? 0),
      // Informational: without ffmpeg only WAV uploads decode (others answer 503), so it does not make health fail.
      ffmpeg: app.ffmpeg.available,
      models: { asr: describe(asr, app.speech.defaultVoice), tts: describe(tts, app.speech.defaultVoice) },
    };
  });
}
