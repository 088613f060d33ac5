/**
 * A small fetch client for the speech worker (`gpu-worker/`), or any server that speaks the
 * OpenAI audio API: `POST /v1/audio/transcriptions` (verbose_json with word and segment
 * timestamps, plus the speech worker's `speech_seconds` / `pause_ratio` extension fields when
 * present) and `POST /v1/audio/speech`.
 *
 * Every call takes an AbortSignal and has its own timeout. Nothing throws: each call returns a
 * typed result, `{ok: true, value}` or `{ok: false, failure}`, where the failure is already in
 * this service's error vocabulary (`{status, code, message}`):
 * - unconfigured (no SPEECH_WORKER_URL), network error, timeout, 5xx, a malformed reply, or a
 *   4xx that means *we* sent something wrong (401 wrong key, 404 unknown model, a 400/422
 *   about a field this service built, such as `invalid_request`) → 503 `unavailable`;
 * - the caller's own problems pass through with the speech worker's message: 400/422 with an
 *   audio code (`invalid_audio`, `empty_file`, `missing_file`, `audio_too_long`) → 400
 *   `invalid_audio`; 400/422 `unsupported_language` (the caller's `language`) → 400
 *   `validation_failed`; 413 `payload_too_large`; 429 `busy` with its Retry-After.
 *
 * A circuit breaker (`health/`, shared by the isolate and the fleet's ServiceHealth object)
 * guards the speech worker: network errors, timeouts and 5xx count as failures, any other
 * answer (4xx included: bad audio is the caller's problem, not an outage) as a success.
 * While it is open a call fails at once with 503 `unavailable`, saying when it will be
 * retried (also as Retry-After), without a request: an outage costs a few timeouts in all,
 * not one per upload.
 *
 * Not covered: retries (a transcription is too slow to retry inside a request; 429 and 503
 * carry Retry-After for the client). Streaming synthesis (`synthesizeStream`) is bounded by
 * its caller, which reads the body.
 */
import * as z from "zod";
import type { ErrorCode } from "@interview/shared";
import type { Env } from "../env.ts";
import type { Breaker, Permit } from "../health/shared-breaker.ts";
import { pickSpeechTarget, type SpeechTarget } from "../speech/speech-pool.ts";
import { currentRequestId, noteSession, REQUEST_ID_HEADER, requestIdField } from "../ops/request-context.ts";
import { recordSpeechCall, type SpeechCallFigure } from "../ops/figures.ts";

/** A 10-minute answer (the speech worker's MAX_AUDIO_SECONDS) transcribes in well under this on CPU. */
export const TRANSCRIBE_TIMEOUT_MS = 60_000;
/** One reply of a few sentences; Kokoro on CPU needs a fraction of this. */
export const SYNTHESIZE_TIMEOUT_MS = 30_000;
/** Model names every OpenAI-compatible server accepts (the speech worker maps them to its own). */
const STT_MODEL = "whisper-1";
const TTS_MODEL = "tts-1";

export interface SpeechFailure {
  status: 400 | 413 | 429 | 503;
  code: ErrorCode;
  message: string;
  /** Seconds, from the speech worker's Retry-After (429, 503). */
  retryAfter?: string;
  /** The speech worker's own error code, when it sent one (`unknown_voice`, `invalid_audio`, ...). */
  upstreamCode?: string;
}

export type SpeechResult<T> = { ok: true; value: T } | { ok: false; failure: SpeechFailure };

const Word = z.object({ word: z.string(), start: z.number(), end: z.number() });
const Segment = z.looseObject({ id: z.number().optional(), start: z.number(), end: z.number(), text: z.string() });
const finiteOrNull = z.number().nullish().transform((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));

/** The verbose_json reply, as much of it as this service reads. */
export const TranscriptionSchema = z.looseObject({
  text: z.string(),
  language: z.string().optional(),
  duration: z.number().optional(),
  words: z.array(Word).optional().default([]),
  segments: z.array(Segment).optional().default([]),
  /** Extension fields of the speech worker (absent from OpenAI's API): Silero VAD speech time. */
  speech_seconds: finiteOrNull,
  pause_ratio: finiteOrNull,
});
export type Transcription = z.infer<typeof TranscriptionSchema>;
export type TranscriptionWord = z.infer<typeof Word>;

export interface TranscribeOptions {
  language: string;
  wordTimestamps: boolean;
}

export interface SynthesizeRequest {
  input: string;
  voice: string;
  speed: number;
  format: "wav" | "pcm";
}

export interface SynthesizedAudio {
  bytes: ArrayBuffer;
  contentType: string;
  /** From the speech worker's `x-sample-rate` header, when it sends one. */
  sampleRate: string | null;
}

const TimedSpeechSchema = z.looseObject({
  sample_rate: z.number().positive(),
  timing: z.enum(["model", "estimated"]),
  words: z.array(z.object({ word: z.string(), start: z.number(), end: z.number(), from: z.number().int(), to: z.number().int() })),
  audio: z.string(),
});

/** Synthesised speech with its words' places in the text (`from`/`to`) and times (seconds). */
export interface TimedSpeech {
  sampleRate: number;
  timing: "model" | "estimated";
  words: { word: string; start: number; end: number; from: number; to: number }[];
  bytes: Uint8Array;
}

export interface StreamedAudio {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  sampleRate: number;
}

export interface SpeechClientOptions {
  /** Base URL of the speech worker (`http://127.0.0.1:8788`), or an OpenAI-style base ending in `/v1`. */
  baseUrl: string | undefined;
  apiKey?: string | undefined;
  transcribeTimeoutMs?: number;
  synthesizeTimeoutMs?: number;
  /** Injected in tests. */
  fetch?: typeof fetch;
  /** Refuses calls while the speech worker is failing; none: every call goes out. */
  breaker?: Breaker;
  /** The request's `waitUntil`, so the breaker's background reports outlive the response. */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The session the call is for, named in the log line when the speech worker is unreachable. */
  sessionId?: string | null;
  /** The pool member the calls go to (several speech workers): told when each call starts and how it ended. */
  target?: SpeechTarget;
  /** Where each call's outcome and latency are counted (ops/figures.ts); none: not counted. */
  figures?: (figure: SpeechCallFigure) => void;
}

/** Why the speech worker counted as unreachable, in its one log line. */
export type SpeechUnreachableReason = "network" | "timeout" | "http_5xx" | "circuit_open";

/** The probe's lease outlives the call's own timeout by this much. */
const PROBE_LEASE_MARGIN_MS = 1_000;

export class SpeechClient {
  private readonly baseUrl: string | null;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: SpeechClientOptions) {
    this.baseUrl = speechApiBase(options.baseUrl);
    // Unbound `fetch` throws "Illegal invocation" in workerd.
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get configured(): boolean {
    return this.baseUrl !== null;
  }

  /** Speech to text: the verbose_json transcription, with word timestamps when asked. */
  async transcribe(file: Blob, options: TranscribeOptions & { filename?: string }, signal?: AbortSignal): Promise<SpeechResult<Transcription>> {
    const form = new FormData();
    form.append("file", file, options.filename || "audio.webm");
    form.append("model", STT_MODEL);
    form.append("language", options.language);
    form.append("response_format", "verbose_json");
    form.append("timestamp_granularities[]", "segment");
    if (options.wordTimestamps) form.append("timestamp_granularities[]", "word");
    return this.call("/audio/transcriptions", { method: "POST", body: form }, this.options.transcribeTimeoutMs ?? TRANSCRIBE_TIMEOUT_MS, signal, async (response) => {
      const parsed = TranscriptionSchema.safeParse(await response.json());
      if (!parsed.success) return unavailable(`The speech worker sent a transcription this service cannot read: ${parsed.error.issues[0]?.message}.`);
      return { ok: true, value: parsed.data };
    });
  }

  /**
   * Text to speech: the audio bytes in the requested format. A reply that is not `audio/*` or
   * has no bytes is 503 `unavailable` (a proxy's HTML page is not speech).
   */
  async synthesize(request: SynthesizeRequest, signal?: AbortSignal): Promise<SpeechResult<SynthesizedAudio>> {
    const body = JSON.stringify({ model: TTS_MODEL, input: request.input, voice: request.voice, speed: request.speed, response_format: request.format });
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body };
    return this.call("/audio/speech", init, this.options.synthesizeTimeoutMs ?? SYNTHESIZE_TIMEOUT_MS, signal, async (response) => {
      const contentType = response.headers.get("Content-Type")?.trim() ?? "";
      if (!/^audio\/[\w.+-]+/i.test(contentType)) {
        await response.body?.cancel();
        return unavailable(`The speech worker sent ${contentType ? `\`${contentType.slice(0, 80)}\`` : "no Content-Type"}, not audio.`);
      }
      const bytes = await response.arrayBuffer();
      if (bytes.byteLength === 0) return unavailable("The speech worker sent no audio.");
      return { ok: true, value: { bytes, contentType, sampleRate: response.headers.get("x-sample-rate") } };
    });
  }

  /**
   * Text to speech as it is synthesised (the speech worker's `stream: true` extension: one
   * sentence at a time), for the interview socket's interviewer audio. The timeout covers the
   * reply's headers; the caller bounds the reading of the body.
   */
  async synthesizeStream(request: SynthesizeRequest, signal?: AbortSignal): Promise<SpeechResult<StreamedAudio>> {
    const body = JSON.stringify({ model: TTS_MODEL, input: request.input, voice: request.voice, speed: request.speed, response_format: request.format, stream: true });
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body };
    return this.call("/audio/speech", init, this.options.synthesizeTimeoutMs ?? SYNTHESIZE_TIMEOUT_MS, signal, async (response) => {
      const contentType = response.headers.get("Content-Type")?.trim() ?? "";
      const sampleRate = Number(response.headers.get("x-sample-rate"));
      if (!/^audio\/[\w.+-]+/i.test(contentType) || !response.body || !(sampleRate > 0)) {
        await response.body?.cancel();
        return unavailable(`The speech worker sent ${contentType ? `\`${contentType.slice(0, 80)}\`` : "no Content-Type"} without a sample rate, not streamed audio.`);
      }
      return { ok: true, value: { body: response.body, contentType, sampleRate } };
    });
  }

  /**
   * Text to speech with each written word's place in the text and time in the audio (the
   * speech worker's `POST /v1/audio/speech/with-timestamps`: JSON, base64 audio). A server
   * without the route answers 404, mapped to 503 `unavailable` like any refused request.
   */
  async synthesizeWithTimestamps(request: SynthesizeRequest, signal?: AbortSignal): Promise<SpeechResult<TimedSpeech>> {
    const body = JSON.stringify({ model: TTS_MODEL, input: request.input, voice: request.voice, speed: request.speed, response_format: request.format });
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body };
    return this.call("/audio/speech/with-timestamps", init, this.options.synthesizeTimeoutMs ?? SYNTHESIZE_TIMEOUT_MS, signal, async (response) => {
      const parsed = TimedSpeechSchema.safeParse(await response.json());
      if (!parsed.success) return unavailable(`The speech worker sent timed speech this service cannot read: ${parsed.error.issues[0]?.message}.`);
      const { sample_rate: sampleRate, timing, words, audio } = parsed.data;
      const binary = atob(audio);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return { ok: true, value: { sampleRate, timing, words, bytes } };
    });
  }

  /** One request with a timeout that also covers reading the body; every failure mapped. */
  private async call<T>(
    path: string,
    init: RequestInit,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    read: (response: Response) => Promise<SpeechResult<T>>,
  ): Promise<SpeechResult<T>> {
    if (this.baseUrl === null) return unavailable("Speech is not configured on this server (SPEECH_WORKER_URL is unset).");
    const breaker = this.options.breaker;
    let permit: Permit | null = null;
    if (breaker) {
      permit = await breaker.acquire({ leaseMs: timeoutMs + PROBE_LEASE_MARGIN_MS, waitUntil: this.options.waitUntil });
      if (permit === null) {
        const failed = failingFast(breaker);
        this.logUnreachable(path, "circuit_open", failed.failure.message);
        this.options.figures?.({ outcome: "circuit_open", path, latencyMs: 0, status: null });
        return failed;
      }
    }
    const started = Date.now();
    // For the operator figures: ok, or why not; set on every way out of the call.
    let outcome = "network";
    let status: number | null = null;
    // What the call says about the speech worker's health; settled in `finally`.
    let verdict: "success" | "failure" | "release" = "release";
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    this.options.target?.begin();
    const headers = new Headers(init.headers);
    if (this.options.apiKey) headers.set("Authorization", `Bearer ${this.options.apiKey}`);
    // The speech worker logs this request under the Worker's id (README "Observability").
    const requestId = currentRequestId();
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    noteSession(this.options.sessionId);
    try {
      const response = await this.fetcher(`${this.baseUrl}${path}`, { ...init, headers, signal: controller.signal });
      // It answered: up, unless it says it is failing (5xx). A 4xx is about the request.
      verdict = response.status >= 500 ? "failure" : "success";
      status = response.status;
      outcome = response.ok ? "ok" : response.status >= 500 ? "http_5xx" : response.status === 429 ? "busy" : "client_error";
      if (!response.ok) {
        const failure = await failureFrom(response);
        if (response.status >= 500) this.logUnreachable(path, "http_5xx", failure.message, response.status);
        return { ok: false, failure };
      }
      const result = await read(response);
      if (!result.ok) outcome = "unreadable";
      return result;
    } catch (error) {
      outcome = timedOut ? "timeout" : signal?.aborted ? "cancelled" : error instanceof SyntaxError ? "unreadable" : "network";
      if (timedOut) {
        verdict = "failure";
        const failed = unavailable(`The speech worker did not answer within ${timeoutMs / 1000} s.`);
        this.logUnreachable(path, "timeout", failed.failure.message);
        return failed;
      }
      if (signal?.aborted) {
        verdict = "release";
        return unavailable("The request was cancelled before the speech worker answered.");
      }
      // A body that is not JSON: it answered, badly; a content problem, not an outage.
      if (error instanceof SyntaxError) return unavailable("The speech worker sent a reply that is not JSON.");
      verdict = "failure";
      const failed = unavailable(`The speech worker cannot be reached (${error instanceof Error ? error.message : String(error)}).`);
      this.logUnreachable(path, "network", failed.failure.message);
      return failed;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      permit?.[verdict]();
      this.options.target?.done(verdict === "release" ? null : verdict === "failure");
      this.options.figures?.({ outcome, path, latencyMs: Date.now() - started, status });
    }
  }

  /**
   * One structured line (JSON on console.warn) per call that found the speech worker down or
   * refused by the open circuit; answered calls (4xx included) log nothing.
   */
  private logUnreachable(path: string, reason: SpeechUnreachableReason, message: string, status?: number): void {
    const line = {
      event: "speech_unreachable",
      ...requestIdField(),
      sessionId: this.options.sessionId ?? null,
      path,
      reason,
      ...(status === undefined ? {} : { status }),
      message,
    };
    console.warn(JSON.stringify(line));
  }
}

/**
 * The client for this request's bindings, guarded by the isolate's shared breaker for the
 * configured speech worker. Pass the request's `waitUntil` where there is one.
 */
export function speechClientFor(env: Env, waitUntil?: (promise: Promise<unknown>) => void, sessionId?: string | null): SpeechClient {
  // SPEECH_WORKER_URL may list several workers: each client talks to the one picked now (speech/speech-pool.ts).
  const target = pickSpeechTarget(env) ?? undefined;
  const figures = target ? (figure: SpeechCallFigure) => recordSpeechCall(env, target.base, figure, waitUntil) : undefined;
  return new SpeechClient({ baseUrl: target?.base, apiKey: env.SPEECH_API_KEY, breaker: target?.breaker, waitUntil, sessionId, target, figures });
}

/** `http://host:8788` or `https://host/v1` (trailing slashes ignored) → the API base ending in `/v1`; null if unset. */
export function speechApiBase(baseUrl: string | undefined): string | null {
  const base = baseUrl?.trim().replace(/\/+$/, "");
  return base ? (base.endsWith("/v1") ? base : `${base}/v1`) : null;
}

/** The breaker is open: no request, and the caller learns when the next one will be tried. */
function failingFast(breaker: Breaker): { ok: false; failure: SpeechFailure } {
  const seconds = Math.max(1, Math.ceil((breaker.retryInMs() ?? 0) / 1000));
  const failure = unavailable(`The speech worker is failing; this server will try it again in about ${seconds} s.`).failure;
  return { ok: false, failure: { ...failure, retryAfter: String(seconds) } };
}

function unavailable(message: string): { ok: false; failure: SpeechFailure } {
  return { ok: false, failure: { status: 503, code: "unavailable", message } };
}

/** Speech worker codes that mean the upload itself is not usable audio. */
const AUDIO_CODES = new Set(["invalid_audio", "empty_file", "missing_file", "audio_too_long"]);

/** Maps an error reply (OpenAI shape `{error: {message, code}}`, or anything) to ours. */
export async function failureFrom(response: Response): Promise<SpeechFailure> {
  const text = await response.text().catch(() => "");
  let message = "";
  let code = "";
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown };
    const error = typeof body.error === "object" && body.error !== null ? body.error : null;
    message = String(error?.message ?? (typeof body.error === "string" ? body.error : (body.message ?? "")));
    code = String(error?.code ?? "");
  } catch {
    message = text.slice(0, 200);
  }
  const failure = mapFailure(response.status, message, code, response.headers.get("Retry-After") ?? undefined);
  return code ? { ...failure, upstreamCode: code } : failure;
}

function mapFailure(status: number, message: string, code: string, retryAfter: string | undefined): SpeechFailure {
  const detail = message || `HTTP ${status}`;
  if (status === 413) return { status: 413, code: "payload_too_large", message: message || "The upload is too large for the speech worker." };
  if (status === 429) return withRetry({ status: 429, code: "busy", message: message || "The speech worker is busy; try again shortly." }, retryAfter);
  if (status === 400 || status === 422) {
    if (AUDIO_CODES.has(code)) return { status: 400, code: "invalid_audio", message: detail };
    if (code === "unsupported_language") return { status: 400, code: "validation_failed", message: detail };
    // Anything else is about the request this service built, not the caller's input.
    return { status: 503, code: "unavailable", message: `The speech worker refused this server's request (HTTP ${status}${code ? ` ${code}` : ""}: ${detail}).` };
  }
  if (status === 401 || status === 403) {
    return { status: 503, code: "unavailable", message: `The speech worker refused this server's credentials (HTTP ${status}); check SPEECH_API_KEY.` };
  }
  if (status < 500) return { status: 503, code: "unavailable", message: `The speech worker refused the request (HTTP ${status}: ${detail}).` };
  return withRetry({ status: 503, code: "unavailable", message: `The speech worker failed (HTTP ${status}: ${detail}).` }, retryAfter);
}

function withRetry(failure: SpeechFailure, retryAfter: string | undefined): SpeechFailure {
  return retryAfter === undefined ? failure : { ...failure, retryAfter };
}
