/**
 * Transcribing a speech upload for delivery metrics, answering a speech failure (with
 * Retry-After), and storing the STT latency with the session.
 *
 * Transcription and synthesis are awaited I/O in the Worker, never inside the interview's
 * Durable Object: the object is only called afterwards, briefly, so speech work never holds up
 * an interview (docs/decisions.md, Fix).
 */
import type { Context } from "hono";
import { errorBody } from "@interview/shared";
import type { SpeechClient, SpeechFailure, Transcription } from "../clients/speech-client.ts";
import type { SpeechSession } from "./speech-access.ts";
import type { Upload } from "./speech-upload.ts";
import { callTrace } from "../ops/request-context.ts";

/** Any route's context: these helpers read only bindings, headers and the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SpeechContext = Context<any, any, any>;

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

/** Stores the server-measured STT latency with the session (telemetry `stt`); never fails the call. */
export async function recordSttLatency(session: SpeechSession, latencyMs: number, payload: Record<string, unknown>): Promise<void> {
  try {
    await session.stub.recordSpeechLatency(session.id, latencyMs, payload, callTrace());
  } catch (error) {
    console.error(`STT latency for session ${session.id} not stored: the interview object did not answer`, error);
  }
}
