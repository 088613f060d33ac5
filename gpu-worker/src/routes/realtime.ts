/**
 * GET /v1/realtime?intent=transcription: streaming transcription over a WebSocket in the OpenAI
 * Realtime transcription protocol (events in realtime-events.ts, rules in realtime-session.ts).
 * The upgrade request passes the same bearer auth as every route; before upgrading, the query
 * is checked, the ASR engine must be loaded and the session count under REALTIME_MAX_SESSIONS
 * (else an HTTP error in the usual shape, no socket). Streaming VAD runs in its own thread
 * (inference/vad-batcher.ts); transcriptions go through the ASR pool and its queue.
 */
import type { FastifyInstance } from "fastify";
import websocket from "@fastify/websocket";
import { z } from "zod";
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";
import { VadBatcher } from "../inference/vad-batcher.ts";
import { modelIds } from "./models.ts";
import { RealtimeSession } from "./realtime-session.ts";
import type { ServerEvent } from "./realtime-events.ts";

/** Largest WebSocket message: 1 MiB is ~24 s of base64 pcm16 in one append (clients send 20–100 ms). */
export const REALTIME_MAX_MESSAGE_BYTES = 1024 * 1024;

const Query = z.object({
  intent: z.literal("transcription", { error: "Only transcription sessions are served here: connect to /v1/realtime?intent=transcription." }),
});

export default async function realtimeRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  const models = new Set(modelIds(config).asr);
  await app.register(websocket, { options: { maxPayload: REALTIME_MAX_MESSAGE_BYTES } });
  let vad: VadBatcher | null = null;
  if (app.speech.asr?.info?.loaded) {
    vad = new VadBatcher({ modelPath: config.VAD_MODEL_PATH });
    // Loaded in the background, not awaited: registration must finish within Fastify's plugin
    // timeout even on a busy machine; a stream's first frames wait for the thread if need be.
    vad.warm().catch((err: unknown) => app.log.error({ err }, "streaming VAD did not load"));
  }
  // An upgrade refused before @fastify/websocket's own onRequest hook ran (the bearer check is
  // an earlier hook) is not closed by the plugin: its socket, taken over from Node's HTTP parser,
  // would stay open after the error response and hold app.close() forever.
  app.addHook("onResponse", async function closeRefusedUpgrade(request) {
    if (request.headers.upgrade?.toLowerCase() === "websocket") request.raw.socket?.destroy();
  });
  const sessions = new Set<RealtimeSession>();
  app.addHook("onClose", async function closeVad() {
    await vad?.close();
  });

  app.get("/v1/realtime", {
    websocket: true,
    preValidation: async function admitSession(request) {
      const query = Query.safeParse(request.query);
      if (!query.success) throw new ApiError("invalid_request", query.error.issues[0]!.message, { param: "intent" });
      const pool = app.speech.asr;
      if (!pool?.info?.loaded || !vad) throw new ApiError("model_not_loaded", `Speech-to-text is not available: ${pool?.info?.error ?? "disabled (WHISPER_MODEL is empty)"}.`);
      if (sessions.size >= config.REALTIME_MAX_SESSIONS) {
        throw new ApiError("queue_full", `This worker already serves ${config.REALTIME_MAX_SESSIONS} realtime sessions (REALTIME_MAX_SESSIONS).`, { headers: { "retry-after": String(config.RETRY_AFTER_SECONDS) } });
      }
    },
  }, function realtimeSocket(socket, request) {
    const requestId = request.headers["x-request-id"];
    const log = typeof requestId === "string" ? request.log.child({ requestId }) : request.log;
    const send = (event: ServerEvent) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ event_id: `event_${Math.random().toString(36).slice(2, 14)}`, ...event }));
    };
    const session = new RealtimeSession({
      send,
      vad: vad!,
      asr: app.speech.asr!,
      asrThreads: config.ASR_THREADS,
      models,
      defaultModel: models.values().next().value ?? "whisper-1",
      vadThreshold: config.VAD_THRESHOLD,
      maxAudioSeconds: config.MAX_AUDIO_SECONDS,
      partialIntervalMs: config.REALTIME_PARTIAL_INTERVAL_MS,
      log,
    }, VadBatcher.initialState());
    sessions.add(session);
    log.info({ session: session.id, sessions: sessions.size }, "realtime session opened");
    socket.on("message", (data, isBinary) => {
      // Extension: a binary message is raw pcm16, the same as an append of its base64.
      if (isBinary) session.handleAudio(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
      else session.handle(data.toString());
    });
    socket.on("close", () => {
      session.close();
      sessions.delete(session);
      log.info({ session: session.id, sessions: sessions.size }, "realtime session closed");
    });
    session.start();
  });
}
