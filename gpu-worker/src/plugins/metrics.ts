/**
 * Prometheus metrics on GET /metrics (prom-client, one registry per app so tests do not share
 * state): HTTP request counts and durations, inference durations, audio seconds (uploaded, and what
 * Whisper ran on after VAD removed the silence), queue depth.
 */
import fp from "fastify-plugin";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface SpeechMetrics {
  registry: Registry;
  inferenceSeconds: Histogram<"engine">;
  audioSeconds: Counter<"engine">;
  whisperSeconds: Counter;
}

declare module "fastify" {
  interface FastifyInstance {
    metrics: SpeechMetrics;
  }
}

export default fp(
  async function metrics(app) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: "speech_" });
    const requests = new Counter({ name: "speech_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"] as const, registers: [registry] });
    const duration = new Histogram({ name: "speech_http_request_duration_seconds", help: "HTTP request duration", labelNames: ["route"] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
    const inferenceSeconds = new Histogram({ name: "speech_inference_seconds", help: "Model inference time per request", labelNames: ["engine"] as const, buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
    const audioSeconds = new Counter({ name: "speech_audio_seconds_total", help: "Seconds of audio transcribed (asr) or synthesised (tts)", labelNames: ["engine"] as const, registers: [registry] });
    const whisperSeconds = new Counter({ name: "speech_whisper_audio_seconds_total", help: "Seconds of audio Whisper ran on (only the speech with VAD_SKIP_SILENCE; compare speech_audio_seconds_total{engine=\"asr\"})", registers: [registry] });
    new Gauge({
      name: "speech_queue_depth",
      help: "Tasks waiting for an inference thread",
      labelNames: ["engine"] as const,
      registers: [registry],
      collect() {
        this.set({ engine: "asr" }, app.speech?.asr?.queueDepth ?? 0);
        this.set({ engine: "tts" }, app.speech?.tts?.queueDepth ?? 0);
      },
    });
    app.decorate("metrics", { registry, inferenceSeconds, audioSeconds, whisperSeconds });
    app.addHook("onResponse", async function recordRequest(request, reply) {
      const route = request.routeOptions.url ?? "unmatched";
      requests.inc({ method: request.method, route, status: String(reply.statusCode) });
      duration.observe({ route }, reply.elapsedTime / 1000);
    });
    app.get("/metrics", async function metricsRoute(_request, reply) {
      reply.header("content-type", registry.contentType);
      return registry.metrics();
    });
  },
  { name: "metrics", dependencies: ["speech-engines"] },
);
