/**
 * A client for the OpenAI-compatible chat-completions endpoint, written on plain `fetch`.
 *
 * Why fetch and not the `openai` SDK: the Workers runtime pools connections under `fetch`
 * itself, so the SDK would add no reuse; what this project needs — a turn deadline shared
 * by parallel calls, one retry only when that deadline allows, time-to-first-token, and a
 * stream we can cut off on a truncated reply — is a few lines here but would mean working
 * around the SDK's own retry and timeout policy. It also keeps the Worker bundle small.
 *
 * One instance per Durable Object is reused for every call. `complete` never throws: every
 * failure comes back as an outcome with a short reason.
 */
import type { LlmPurpose } from "../../engine/types.ts";
import type { Budget, ChatMessage } from "./prompts.ts";
import { SseDecoder, readChunk } from "./sse.ts";

/** Wait before the single retry when the server sends no Retry-After. */
export const RETRY_BACKOFF_MS = 250;
/** A retry is only worth making if at least this much of the turn deadline is left after the wait. */
export const RETRY_MIN_BUDGET_MS = 500;

export interface ChatCall {
  purpose: LlmPurpose;
  messages: ChatMessage[];
  budget: Budget;
  stream: boolean;
  /** Raw content deltas of a streamed reply, in order. */
  onDelta?: (text: string) => void;
  /** Aborting ends the call; `signal.reason === "deadline"` reports a timeout. */
  signal: AbortSignal;
  /** Epoch ms by which the call must be over; used to decide whether a retry fits. */
  deadline: number;
}

export type ChatOutcome = "ok" | "timeout" | "http_error" | "invalid";

export interface ChatResult {
  outcome: ChatOutcome;
  /** The reply content (ok), or null. */
  text: string | null;
  status: number | null;
  attempts: number;
  latencyMs: number;
  ttftMs: number | null;
  streamed: boolean;
  /** Set when a stream ended without its finish marker; `text` is then what arrived. */
  truncated: boolean;
  /** The caller aborted (not the deadline): not the API's fault. */
  aborted: boolean;
  detail?: string;
}

export interface ChatClientOptions {
  url: string;
  apiKey: string;
  model: string;
  fetch?: typeof fetch;
  clock?: () => number;
}

export class ChatClient {
  private readonly fetchImpl: typeof fetch;
  private readonly clock: () => number;

  constructor(private readonly options: ChatClientOptions) {
    // Bound so a platform fetch is never called with the wrong `this`.
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.clock = options.clock ?? Date.now;
  }

  get model(): string {
    return this.options.model;
  }

  async complete(call: ChatCall): Promise<ChatResult> {
    const started = this.clock();
    const result: ChatResult = {
      outcome: "http_error",
      text: null,
      status: null,
      attempts: 0,
      latencyMs: 0,
      ttftMs: null,
      streamed: call.stream,
      truncated: false,
      aborted: false,
    };
    const finish = (outcome: ChatOutcome, detail?: string): ChatResult => {
      result.outcome = outcome;
      result.latencyMs = this.clock() - started;
      if (detail) result.detail = detail;
      return result;
    };
    try {
      for (;;) {
        result.attempts += 1;
        const response = await this.fetchImpl(this.options.url, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${this.options.apiKey}`,
            Accept: call.stream ? "text/event-stream" : "application/json",
            "Content-Type": "application/json",
          },
          body: JSON.stringify({
            model: this.options.model,
            messages: call.messages,
            max_tokens: call.budget.maxTokens,
            temperature: call.budget.temperature,
            top_p: 1,
            stream: call.stream,
          }),
          signal: call.signal,
        });
        result.status = response.status;
        if (response.ok) {
          const isStream = call.stream && (response.headers.get("Content-Type") ?? "").includes("text/event-stream");
          result.streamed = isStream;
          if (!isStream) result.ttftMs = this.clock() - started;
          const read = isStream
            ? await this.readStream(response, call, started, result)
            : await raceAbort(readJson(response), call.signal);
          if (read.text === null) return finish("invalid", read.detail);
          result.text = read.text;
          return finish("ok", read.detail);
        }
        const retryable = response.status === 429 || response.status >= 500;
        const wait = retryable && result.attempts === 1 ? retryWait(response.headers.get("Retry-After"), this.clock()) : null;
        await response.body?.cancel().catch(() => undefined);
        if (wait === null || this.clock() + wait + RETRY_MIN_BUDGET_MS > call.deadline) {
          return finish("http_error", `http ${response.status}${retryable && result.attempts === 1 ? " (no time to retry)" : ""}`);
        }
        await sleep(wait, call.signal);
      }
    } catch (error) {
      if (call.signal.aborted) {
        const byDeadline = call.signal.reason === "deadline";
        result.aborted = !byDeadline;
        return finish("timeout", byDeadline ? "deadline" : "aborted");
      }
      return finish("http_error", `network: ${error instanceof Error ? error.message : String(error)}`.slice(0, 160));
    }
  }

  /** Accumulates content deltas; a stream that breaks off keeps what arrived, marked truncated. */
  private async readStream(
    response: Response,
    call: ChatCall,
    started: number,
    result: ChatResult,
  ): Promise<{ text: string | null; detail?: string }> {
    const body = response.body;
    if (!body) return { text: null, detail: "empty body" };
    const reader = body.getReader();
    const decoder = new SseDecoder();
    let text = "";
    let finished = false;
    // Not every runtime errors a body stream when its fetch is aborted; cancelling makes sure.
    const onAbort = () => void reader.cancel().catch(() => undefined);
    call.signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!finished) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const data of decoder.push(value)) {
          const chunk = readChunk(data);
          if (chunk.content) {
            result.ttftMs ??= this.clock() - started;
            text += chunk.content;
            try {
              call.onDelta?.(chunk.content);
            } catch {
              // A listener's failure must not end the call.
            }
          }
          if (chunk.finished) finished = true;
        }
      }
    } catch (error) {
      if (call.signal.aborted) throw error;
      // The connection broke mid-stream: fall through with what arrived.
    } finally {
      call.signal.removeEventListener("abort", onAbort);
      reader.cancel().catch(() => undefined);
    }
    if (call.signal.aborted) throw call.signal.reason;
    if (!finished) {
      result.truncated = true;
      return { text: text.trim() || null, detail: "truncated stream" };
    }
    return text.trim() ? { text: text.trim() } : { text: null, detail: "empty content" };
  }
}

async function readJson(response: Response): Promise<{ text: string | null; detail?: string }> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    return { text: null, detail: "malformed body" };
  }
  const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message?.content;
  if (typeof content !== "string") return { text: null, detail: "no content" };
  return content.trim() ? { text: content.trim() } : { text: null, detail: "empty content" };
}

/** Retry-After in seconds or as an HTTP date; absent or unreadable → the default backoff. */
export function retryWait(header: string | null, now: number): number {
  const value = header?.trim();
  if (!value) return RETRY_BACKOFF_MS;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? RETRY_BACKOFF_MS : Math.max(0, date - now);
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
