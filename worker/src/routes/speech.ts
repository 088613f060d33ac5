/**
 * `POST /stt` and `POST /tts` (seed §8), served by the speech worker over the OpenAI audio API.
 *
 * `/stt`: multipart `file`, `sessionId` (optional), `language` (default `en`). Answers the
 * seed's `{transcript, latency_ms, duration, language, num_segments}` plus `metrics`
 * (`speakingRate`, `pauseRatio`, `fillers`, `speechSeconds`), computed here from the word
 * timestamps, voice activity and transcript. With a session id the server-measured latency is
 * stored as the session's `stt` telemetry. Failures are real statuses (the seed answered 200
 * `{error}`): 400 bad audio, 413 too large, 429 busy, 503 speech worker down or unconfigured.
 *
 * `/tts`: JSON `{text, style?, speaker?, language?, sessionId?}` → `audio/wav`. Speed by style
 * 1.06 / 1.0 / 0.94 (unknown or absent: 1.0); voice = `speaker`, else `alloy` (an OpenAI name
 * every compatible server knows; the speech worker maps it to a Kokoro voice). A speaker the
 * speech server does not know (seed clients send XTTS names) falls back to that default.
 * `language` is accepted and ignored: the OpenAI speech API takes none. The per-isolate cache
 * is keyed on (text, voice, speed). `X-TTS-Voice` is the voice as printable ASCII,
 * percent-encoded otherwise (omitted if even that fails).
 *
 * Access `either` on both (access-policy.ts), the credentials checked before any body is
 * read: the resume token of `sessionId`, or the admin token (without a `sessionId`, only the
 * admin token); development accepts token-less calls. `/stt` takes `sessionId` as a query
 * parameter too, checked before the upload is read; a form-only `sessionId` is checked after
 * it. `/tts` bodies are limited to 64 KiB before they are parsed. A session that has ended is
 * 409 `session_ended`.
 */
import { Hono } from "hono";
import { TTS_SPEED_BY_STYLE, type Style } from "@interview/shared";
import { SttFields, TtsBody } from "@interview/shared/rest";
import { speechClientFor } from "../clients/speech-client.ts";
import { deliveryMetrics } from "../speech/delivery-metrics.ts";
import { TtsCache, type CachedAudio } from "../speech/tts-cache.ts";
import { fail } from "./http-error.ts";
import { invalidFields, readUpload, ttsBodyLimit, uploadLimit } from "./speech-upload.ts";
import { speechSession, type SpeechEnv } from "./speech-access.ts";
import { access, grantSession, requireSessionless } from "./access-policy.ts";
import { failureResponse, recordSttLatency, transcribeTimed, waitUntilOf } from "./speech-transcription.ts";
import { validate } from "./validate.ts";

/** The voice when the request names none: OpenAI's first voice, mapped by the speech worker. */
export const DEFAULT_VOICE = "alloy";

/** Per isolate (see tts-cache.ts). */
const ttsCache = new TtsCache();

export function speedForStyle(style: string | null | undefined): number {
  return style && Object.hasOwn(TTS_SPEED_BY_STYLE, style) ? TTS_SPEED_BY_STYLE[style as Style] : 1.0;
}

export const speech = new Hono<SpeechEnv>()
  // `?sessionId=` is checked before the upload is read; a form-only `sessionId` once it is.
  .post("/stt", access("either", { session: ["query", "form"] }), uploadLimit, async function postStt(c) {
    const upload = await readUpload(c, Object.keys(SttFields.shape));
    const parsed = SttFields.safeParse(upload.fields);
    if (!parsed.success) throw invalidFields(parsed.error.issues);
    const { sessionId, language } = parsed.data;
    let granted = c.get("access").session;
    if (granted && sessionId !== undefined && sessionId !== granted.id) throw fail(400, "validation_failed", "sessionId: the form field differs from the query parameter");
    if (!granted && sessionId !== undefined) granted = await grantSession(c, sessionId);
    if (!granted) requireSessionless(c);
    const session = granted ? speechSession(granted) : null;

    const result = await transcribeTimed(speechClientFor(c.env, waitUntilOf(c), session?.id), upload, language, c.req.raw.signal);
    if (!result.ok) return failureResponse(c, result.failure);
    const { transcription, transcript, latencyMs } = result.value;
    const duration = transcription.duration ?? null;
    if (session) await recordSttLatency(session, latencyMs, { language, duration, route: "stt" });
    return c.json({
      transcript,
      latency_ms: latencyMs,
      duration,
      language,
      num_segments: transcription.segments.length,
      metrics: deliveryMetrics({ ...transcription, text: transcript }),
    });
  })
  .post("/tts", access("either", { session: "json", bodyLimit: ttsBodyLimit }), validate("json", TtsBody), async function postTts(c) {
    const body = c.req.valid("json");
    if (body.sessionId !== undefined) speechSession(await grantSession(c, body.sessionId));
    else requireSessionless(c);
    const speed = speedForStyle(body.style);
    const requested = body.speaker ?? DEFAULT_VOICE;
    const key = { text: body.text, voice: requested, speed };
    const cached = ttsCache.get(key);
    if (cached) return audioResponse(cached, { speed, voice: cached.voice, cache: "hit" });

    const client = speechClientFor(c.env, waitUntilOf(c), body.sessionId);
    let voice = requested;
    let result = await client.synthesize({ input: body.text, voice, speed, format: "wav" }, c.req.raw.signal);
    if (!result.ok && result.failure.upstreamCode === "unknown_voice" && voice !== DEFAULT_VOICE) {
      voice = DEFAULT_VOICE;
      result = await client.synthesize({ input: body.text, voice, speed, format: "wav" }, c.req.raw.signal);
    }
    if (!result.ok) return failureResponse(c, result.failure);
    const audio = { ...result.value, voice };
    const response = audioResponse(audio, { speed, voice, cache: "miss" });
    ttsCache.set(key, audio);
    return response;
  });

/** A header value for a voice name: printable ASCII as is, else percent-encoded; null if neither. */
export function voiceHeader(voice: string): string | null {
  if (/^[\x20-\x7e]+$/.test(voice)) return voice;
  try {
    return encodeURIComponent(voice);
  } catch {
    return null; // a lone surrogate
  }
}

function audioResponse(audio: CachedAudio, info: { speed: number; voice: string; cache: "hit" | "miss" }): Response {
  const headers = new Headers({ "Content-Type": audio.contentType, "X-TTS-Speed": String(info.speed), "X-TTS-Cache": info.cache });
  const voice = voiceHeader(info.voice);
  if (voice !== null) headers.set("X-TTS-Voice", voice);
  if (audio.sampleRate && /^[\x20-\x7e]+$/.test(audio.sampleRate)) headers.set("X-Sample-Rate", audio.sampleRate);
  // A copy: the cached buffer must outlive this response's body stream.
  return new Response(audio.bytes.slice(0), { status: 200, headers });
}
