/**
 * What `POST /stt`, `POST /tts` and `POST /sessions/:id/answers/audio` share: the token gate
 * and the authorisation that run before any body is read, the upload limit, reading a
 * multipart upload, answering a
 * speech failure (with Retry-After), transcribing for delivery metrics, and reaching the
 * session's interview object.
 *
 * Transcription and synthesis are awaited I/O in the Worker, never inside the interview's
 * Durable Object: the object is only called afterwards, briefly, so speech work never holds up
 * an interview (decisions.md, Fix).
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { errorBody, type ErrorCode } from "@interview/shared";
import { SPEECH_LIMITS } from "@interview/shared/rest";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";
import type { SpeechClient, SpeechFailure, Transcription } from "../clients/speech-client.ts";
import { sessionAccess, type SessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { objectIdOf } from "../durable/resume-token.ts";
import type { SessionCheck } from "../durable/interview-session.ts";
import { interviewById, interviewOfToken, type InterviewStub } from "../durable/interview-stub.ts";
import { SESSION_TOKEN_REQUIRED, bearerToken, isAdminToken } from "./auth.ts";

/** Any route's context: these helpers read only bindings, headers and the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SpeechContext = Context<any, any, any>;

/** Speech routes: an authorised session, when the call names one (set before the body is read). */
export type SpeechEnv = AppEnv & { Variables: { speechSession: SpeechSession | null; sessionPending: boolean } };

/** `POST /tts` takes at most 4096 characters of JSON text: 64 KiB is room enough. */
export const TTS_BODY_LIMIT_BYTES = 64 * 1024;

/** 413 for a /tts body over 64 KiB, before it is parsed. */
export const ttsBodyLimit = bodyLimit({
  maxSize: TTS_BODY_LIMIT_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", "The request body is larger than 64 KiB."), 413),
});

/** Room for the multipart envelope and the text fields around a maximal file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** 413 before anything is parsed or forwarded, by Content-Length or by counting the stream. */
export const uploadLimit = bodyLimit({
  maxSize: SPEECH_LIMITS.maxUploadBytes + MULTIPART_OVERHEAD_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", tooLargeMessage()), 413),
});

function tooLargeMessage(): string {
  return `The upload is larger than ${SPEECH_LIMITS.maxUploadBytes / (1024 * 1024)} MiB.`;
}

export function fail(status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 503, code: ErrorCode, message: string): HTTPException {
  return new HTTPException(status, { message, cause: code });
}

/**
 * Middleware, first on every speech route: in production a request with no bearer token is
 * 401, and a malformed Authorization header is 401 everywhere, before any body is read.
 */
export const tokenGate = createMiddleware<AppEnv>(async function tokenGate(c, next) {
  if (bearerToken(c) === null && !isDevelopment(c.env)) {
    throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  }
  await next();
});

/** A session a speech call may use, and its interview object. */
export interface SpeechSession {
  id: string;
  stub: InterviewStub;
}

export type { InterviewStub };

const tokenMismatch = () => fail(403, "forbidden", "The token does not match this session.");

/**
 * Authorises a call for `sessionId` without reading the body. A resume token reaches the
 * object it names (no D1, so a session is usable the moment `session_started` is sent): the
 * object checks the token against its current session; a token of another session is 403, an
 * ended session 409 `session_ended`. The admin token (and, in development, no token) looks the
 * session up in D1: 404 when unknown.
 */
export async function authorizeSession(c: SpeechContext, sessionId: string): Promise<SpeechSession> {
  const token = bearerToken(c);
  if (token === null ? isDevelopment(c.env) : await isAdminToken(c.env, token)) {
    const session = await knownSession(c, sessionId);
    const stub = interviewObject(c.env, session);
    if (!stub) throw fail(409, "session_ended", `Session ${sessionId} has no running interview.`);
    return { id: sessionId, stub };
  }
  if (token === null) throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  const stub = interviewOfToken(c.env, token);
  if (!stub) throw tokenMismatch();
  let check: SessionCheck;
  try {
    check = await stub.checkSession(sessionId, token);
  } catch (error) {
    console.error(`Speech call for session ${sessionId}: the interview object did not answer`, error);
    throw fail(503, "unavailable", "The interview could not be reached; try again.");
  }
  if (check === "session_ended") throw fail(409, "session_ended", "This session has ended.");
  if (check !== "ok") throw tokenMismatch();
  return { id: sessionId, stub };
}

/**
 * A call without a session: the admin token, or none in development. A resume token is let
 * through only when `sessionPending` (its session id comes with the body, /stt's form field)
 * and only if it is shaped like one; it is checked once the body is read.
 */
export async function authorizeSessionless(c: SpeechContext, sessionPending: boolean): Promise<"admin" | "pending"> {
  const token = bearerToken(c);
  if (token === null) {
    if (isDevelopment(c.env)) return "admin";
    throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  }
  if (await isAdminToken(c.env, token)) return "admin";
  if (sessionPending && objectIdOf(token) !== null) return "pending";
  throw fail(403, "forbidden", "Without a sessionId this route needs the admin token.");
}

export interface Upload {
  file: File;
  fields: Record<string, string>;
}

/**
 * The multipart `file` and the text fields; 400 when it is not multipart, when `file` is not
 * exactly one file, or when one of `textFields` (the route's known fields) arrives as a file.
 */
export async function readUpload(c: SpeechContext, textFields: readonly string[]): Promise<Upload> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw fail(400, "validation_failed", "file: send the audio as multipart/form-data with a `file` field");
  }
  const files = form.getAll("file");
  if (files.length > 1) throw fail(400, "validation_failed", "file: send exactly one file");
  const file = files[0];
  if (file === undefined || typeof file === "string") throw fail(400, "validation_failed", "file: a multipart file is required");
  for (const name of textFields) {
    if (form.getAll(name).some((value) => typeof value !== "string")) throw fail(400, "validation_failed", `${name}: must be a text field, not a file`);
  }
  if (file.size === 0) throw fail(400, "invalid_audio", "file: the uploaded file is empty");
  if (file.size > SPEECH_LIMITS.maxUploadBytes) throw fail(413, "payload_too_large", tooLargeMessage());
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) if (typeof value === "string") fields[name] = value;
  return { file, fields };
}

/** Field problems in the shared validation shape (`field: problem; …`). */
export function invalidFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]): HTTPException {
  return fail(400, "validation_failed", issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; "));
}

export async function knownSession(c: SpeechContext, sessionId: string): Promise<SessionAccess> {
  const session = await withDb(c.env, (db) => sessionAccess(db, sessionId));
  if (!session) throw fail(404, "not_found", `Unknown session ${sessionId}.`);
  return session;
}

/**
 * The request's `waitUntil`, so the speech breaker's reports to the fleet outlive the
 * response; none where the runtime gives no execution context (some test harnesses).
 */
export function waitUntilOf(c: SpeechContext): ((promise: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return undefined;
  }
}

/** A speech failure as our `{code, message}`, with the speech worker's status and Retry-After. */
export function failureResponse(c: SpeechContext, failure: SpeechFailure): Response {
  if (failure.retryAfter !== undefined) c.header("Retry-After", failure.retryAfter);
  return c.json(errorBody(failure.code, failure.message), failure.status);
}

export interface TimedTranscription {
  transcription: Transcription;
  /** The transcript as the seed built it: stripped non-empty segment texts joined by spaces. */
  transcript: string;
  /** Server-measured time of the transcription call, ms to 0.01 (the seed's `latency_ms`). */
  latencyMs: number;
}

/**
 * Transcribes with word timestamps (the pace metric and the pause ratio need them). A server
 * that cannot align words and refuses the request answers 503 (speech-client.ts): there is no
 * second try without them.
 */
export async function transcribeTimed(
  client: SpeechClient,
  upload: Upload,
  language: string,
  signal?: AbortSignal,
): Promise<{ ok: true; value: TimedTranscription } | { ok: false; failure: SpeechFailure }> {
  const started = Date.now();
  const result = await client.transcribe(upload.file, { language, filename: upload.file.name, wordTimestamps: true }, signal);
  if (!result.ok) return result;
  const transcription = result.value;
  const fromSegments = transcription.segments.map((s) => s.text.trim()).filter((t) => t !== "");
  const transcript = fromSegments.length > 0 ? fromSegments.join(" ") : transcription.text.trim();
  const latencyMs = Math.round((Date.now() - started) * 100) / 100;
  return { ok: true, value: { transcription, transcript, latencyMs } };
}

/** The session's interview object, or null when the row names none this namespace knows. */
export function interviewObject(env: Env, session: SessionAccess): InterviewStub | null {
  return interviewById(env, session.objectId);
}

/** Stores the server-measured STT latency with the session (telemetry `stt`); never fails the call. */
export async function recordSttLatency(session: SpeechSession, latencyMs: number, payload: Record<string, unknown>): Promise<void> {
  try {
    await session.stub.recordSpeechLatency(session.id, latencyMs, payload);
  } catch (error) {
    console.error(`STT latency for session ${session.id} not stored: the interview object did not answer`, error);
  }
}
