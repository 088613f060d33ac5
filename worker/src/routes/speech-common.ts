/**
 * What `POST /stt`, `POST /tts` and `POST /sessions/:id/answers/audio` share: the upload limit,
 * reading a multipart upload, authorising a call by session or admin token, answering a
 * speech failure (with Retry-After), transcribing for delivery metrics, and reaching the
 * session's interview object.
 *
 * Transcription and synthesis are awaited I/O in the Worker, never inside the interview's
 * Durable Object: the object is only called afterwards, briefly, so speech work never holds up
 * an interview (decisions.md, Fix).
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { errorBody, type ErrorCode } from "@interview/shared";
import { SPEECH_LIMITS } from "@interview/shared/rest";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";
import type { SpeechClient, SpeechFailure, Transcription } from "../clients/speech-client.ts";
import { sessionAccess, type SessionAccess } from "../storage/repository.ts";
import { withDb } from "../storage/db.ts";
import { authorizeSessionCall, bearerToken, requireAdmin } from "./auth.ts";

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

function fail(status: 400 | 401 | 404 | 409 | 413 | 422, code: ErrorCode, message: string): HTTPException {
  return new HTTPException(status, { message, cause: code });
}

/**
 * In production a request with no bearer token is refused before its body is read: every
 * speech route needs one there (the session's or the admin's).
 */
export function refuseTokenless(c: Context<AppEnv>): void {
  if (bearerToken(c) === null && !isDevelopment(c.env)) {
    throw fail(401, "unauthorized", "This route needs `Authorization: Bearer <resumeToken>` (or the admin token).");
  }
}

export interface Upload {
  file: File;
  fields: Record<string, string>;
}

/**
 * The multipart `file` and the text fields; 400 when it is not multipart, when `file` is not
 * exactly one file, or when one of `textFields` (the route's known fields) arrives as a file.
 */
export async function readUpload(c: Context<AppEnv>, textFields: readonly string[]): Promise<Upload> {
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

/**
 * With a session id: the session must exist (404) and the token be its resume token or the
 * admin token. Without: the admin token. Development accepts token-less calls, as elsewhere.
 */
export async function authorizeSpeechCall(c: Context<AppEnv>, sessionId: string | undefined): Promise<SessionAccess | null> {
  if (sessionId === undefined) {
    await requireAdmin(c, async () => undefined);
    return null;
  }
  const session = await knownSession(c, sessionId);
  await authorizeSessionCall(c, session.resumeTokenHash);
  return session;
}

export async function knownSession(c: Context<AppEnv>, sessionId: string): Promise<SessionAccess> {
  const session = await withDb(c.env, (db) => sessionAccess(db, sessionId));
  if (!session) throw fail(404, "not_found", `Unknown session ${sessionId}.`);
  return session;
}

/** A speech failure as our `{code, message}`, with the speech worker's status and Retry-After. */
export function failureResponse(c: Context<AppEnv>, failure: SpeechFailure): Response {
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
export function interviewObject(env: Env, session: SessionAccess) {
  if (!session.objectId) return null;
  try {
    return env.INTERVIEW.get(env.INTERVIEW.idFromString(session.objectId));
  } catch {
    return null;
  }
}

/** Stores the server-measured STT latency with the session (telemetry `stt`); never fails the call. */
export async function recordSttLatency(env: Env, session: SessionAccess, latencyMs: number, payload: Record<string, unknown>): Promise<void> {
  const stub = interviewObject(env, session);
  if (!stub) return;
  try {
    await stub.recordSpeechLatency(session.id, latencyMs, payload);
  } catch (error) {
    console.error(`STT latency for session ${session.id} not stored: the interview object did not answer`, error);
  }
}
