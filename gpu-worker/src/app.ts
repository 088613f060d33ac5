/**
 * The speech worker as a Fastify plugin: error handler, auth, engines (worker-thread pools),
 * metrics, then the routes. `server.ts` registers it and owns process concerns; tests register
 * it through `test/helpers/build.ts` and use inject() or a real listening socket.
 */
import type { FastifyInstance } from "fastify";
import underPressure from "@fastify/under-pressure";
import multipart from "@fastify/multipart";
import { MULTIPART_LIMITS, type Config } from "./config.ts";
import { ApiError, installErrorHandler } from "./errors.ts";
import auth from "./plugins/auth.ts";
import expectContinue from "./plugins/expect-continue.ts";
import requestIds from "./request-id.ts";
import speech from "./plugins/speech.ts";
import metrics from "./plugins/metrics.ts";
import healthRoutes from "./routes/health.ts";
import modelRoutes from "./routes/models.ts";
import transcriptionRoutes from "./routes/transcriptions.ts";
import speechRoutes from "./routes/speech.ts";
import realtimeRoutes from "./routes/realtime.ts";
import speechTimestampRoutes from "./routes/speech-timestamps.ts";

export interface AppOptions {
  config: Config;
}

/** Event-loop delay (ms) above which requests get 503 instead of piling up. */
const MAX_EVENT_LOOP_DELAY_MS = 1_000;

export default async function speechWorkerApp(app: FastifyInstance, opts: AppOptions) {
  const { config } = opts;
  installErrorHandler(app);
  await app.register(requestIds);
  await app.register(underPressure, {
    maxEventLoopDelay: MAX_EVENT_LOOP_DELAY_MS,
    pressureHandler(_request, _reply, type, value) {
      throw new ApiError("unavailable", `Server under pressure (${type}: ${value}).`, { headers: { "retry-after": String(config.RETRY_AFTER_SECONDS) } });
    },
  });
  await app.register(auth, { apiKey: config.SPEECH_API_KEY });
  await app.register(expectContinue); // after auth: its 401 needs no body
  await app.register(multipart, {
    limits: { fileSize: config.MAX_UPLOAD_BYTES, ...MULTIPART_LIMITS },
  });
  await app.register(speech, { config });
  await app.register(metrics);
  await app.register(healthRoutes);
  await app.register(modelRoutes, { config });
  await app.register(transcriptionRoutes, { config });
  await app.register(speechRoutes, { config });
  await app.register(realtimeRoutes, { config });
  await app.register(speechTimestampRoutes, { config });
}
