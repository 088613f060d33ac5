/**
 * One spoken answer's connection to a speech worker's realtime transcription endpoint,
 * `GET /v1/realtime?intent=transcription` (the OpenAI Realtime transcription protocol; the
 * speech worker's README lists its events and extensions). Opened from the Durable Object as
 * an outbound WebSocket: `fetch` with `Upgrade: websocket`, then `accept()`.
 *
 * Audio sent before the socket is open is kept and sent once it is. Server voice activity
 * detection (`server_vad`, silence `VAD_SILENCE_MS`) ends the answer by itself; `commit()`
 * ends it at once (push-to-talk). Every server event is validated before it is used.
 */
import * as z from "zod";
import { VAD_SILENCE_MS } from "@interview/shared";
import type { SpeechTarget } from "../../speech/speech-pool.ts";

/** Connecting (the HTTP upgrade) takes longer than this only when the worker is in trouble. */
export const REALTIME_CONNECT_TIMEOUT_MS = 5_000;

const Word = z.object({ word: z.string(), start: z.number(), end: z.number() });
const finiteOrNull = z.number().nullish().transform((v) => (v === undefined || v === null || !Number.isFinite(v) ? null : v));

const ServerEvent = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("input_audio_buffer.speech_started") }),
  z.looseObject({ type: z.literal("input_audio_buffer.speech_stopped") }),
  z.looseObject({ type: z.literal("conversation.item.input_audio_transcription.delta"), delta: z.string() }),
  z.looseObject({
    type: z.literal("conversation.item.input_audio_transcription.completed"),
    transcript: z.string(),
    words: z.array(Word).optional().default([]),
    no_speech: z.boolean().optional().default(false),
    speech_seconds: finiteOrNull,
  }),
  z.looseObject({ type: z.literal("conversation.item.input_audio_transcription.failed") }),
  z.looseObject({ type: z.literal("error"), error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }) }),
]);

export interface CompletedTranscription {
  transcript: string;
  words: { word: string; start: number; end: number }[];
  noSpeech: boolean;
  speechSeconds: number | null;
}

export interface RealtimeHandlers {
  speechStarted(): void;
  speechStopped(): void;
  delta(text: string): void;
  completed(result: CompletedTranscription): void;
  /** The connection failed or closed before a transcript: `outage` when the worker is at fault (unreachable, 5xx, dropped). */
  failed(reason: string, outage: boolean): void;
  /** The buffer had nothing to commit (push-to-talk before any audio): there was no speech. */
  empty(): void;
}

export class RealtimeTranscriber {
  private socket: WebSocket | null = null;
  private readonly pending: string[] = [];
  private finished = false;
  private committed = false;

  /** The worker the connection went to (the last one tried while connecting). */
  private target!: SpeechTarget;

  /** The API base of the worker this connection is (or was last trying) to; null before any. */
  get base(): string | null {
    return this.target?.base ?? null;
  }

  constructor(
    /** The next worker to try (speech/speech-pool.ts), none of those in `exclude`. */
    private readonly pick: (exclude: ReadonlySet<string>) => SpeechTarget | null,
    private readonly apiKey: string | undefined,
    private readonly language: string,
    private readonly handlers: RealtimeHandlers,
  ) {}

  /**
   * Opens the connection; resolves when it is open or has failed (the handlers say which). A
   * worker that cannot be reached is left for the next one: the audio waits meanwhile, so a
   * dead worker in the pool costs no answer.
   */
  async open(): Promise<void> {
    const tried = new Set<string>();
    for (;;) {
      const target = this.pick(tried);
      if (target === null) return;
      this.target = target;
      tried.add(target.base);
      const outcome = await this.connect(target, this.pick(tried) !== null);
      if (outcome !== "next") return;
    }
  }

  /** One connection attempt; "next" when it failed and another worker is there to try. */
  private async connect(target: SpeechTarget, another: boolean): Promise<"done" | "next"> {
    const permit = await target.breaker.acquire({ leaseMs: REALTIME_CONNECT_TIMEOUT_MS + 1_000 });
    if (permit === null) {
      if (another) return "next";
      const seconds = Math.max(1, Math.ceil((target.breaker.retryInMs() ?? 0) / 1000));
      this.fail(`The speech worker is failing; it will be tried again in about ${seconds} s.`, false);
      return "done";
    }
    target.begin();
    const headers: Record<string, string> = { Upgrade: "websocket" };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    const upgrade = () => fetch(`${target.base}/realtime?intent=transcription`, { headers, signal: AbortSignal.timeout(REALTIME_CONNECT_TIMEOUT_MS) });
    let response: Response;
    try {
      // A worker that restarted leaves kept-alive connections behind that fail at once
      // ("Network connection lost"): one more request before the worker counts as down.
      response = await upgrade().catch(() => upgrade());
    } catch (error) {
      permit.failure();
      target.done(true);
      if (another && !this.finished) return "next";
      this.fail(`The speech worker cannot be reached (${error instanceof Error ? error.message : String(error)}).`, true);
      return "done";
    }
    const ws = response.webSocket;
    if (response.status !== 101 || !ws) {
      const outage = response.status >= 500;
      permit[outage ? "failure" : "success"]();
      target.done(outage);
      await response.body?.cancel().catch(() => undefined);
      if (another && !this.finished) return "next";
      this.fail(`The speech worker refused the realtime connection (HTTP ${response.status}).`, outage);
      return "done";
    }
    permit.success();
    ws.accept();
    if (this.finished) {
      ws.close(1000, "done");
      return "done";
    }
    this.socket = ws;
    ws.addEventListener("message", (event) => this.onMessage(event.data));
    ws.addEventListener("close", () => this.fail("The speech worker closed the connection before the transcript.", true));
    ws.addEventListener("error", () => this.fail("The connection to the speech worker failed.", true));
    this.send({
      type: "transcription_session.update",
      session: {
        input_audio_format: "pcm16",
        input_audio_transcription: { language: this.language },
        turn_detection: { type: "server_vad", silence_duration_ms: VAD_SILENCE_MS },
      },
    });
    for (const frame of this.pending.splice(0)) this.sendRaw(frame);
    return "done";
  }

  /** 16 kHz mono pcm16 audio, in order. */
  append(pcm: ArrayBuffer): void {
    if (this.finished || this.committed) return;
    this.send({ type: "input_audio_buffer.append", audio: base64(new Uint8Array(pcm)) });
  }

  /** The candidate says the answer is complete (push-to-talk): transcribe what there is now. */
  commit(): void {
    if (this.finished || this.committed) return;
    this.committed = true;
    this.send({ type: "input_audio_buffer.commit" });
  }

  /** Closes the connection without a verdict (the answer was abandoned, or is complete). */
  close(): void {
    const wasFinished = this.finished;
    this.finished = true;
    try {
      this.socket?.close(1000, "done");
    } catch {
      // Already closing.
    }
    if (!wasFinished && this.socket) this.target.done(null);
  }

  private send(event: unknown): void {
    const frame = JSON.stringify(event);
    if (this.socket) this.sendRaw(frame);
    else this.pending.push(frame);
  }

  private sendRaw(frame: string): void {
    try {
      this.socket?.send(frame);
    } catch {
      this.fail("The connection to the speech worker closed while audio was being sent.", true);
    }
  }

  private onMessage(data: unknown): void {
    if (this.finished || typeof data !== "string") return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = ServerEvent.safeParse(payload);
    // Events this client does not use (session created/updated, committed, cleared) are ignored.
    if (!parsed.success) return;
    const event = parsed.data;
    switch (event.type) {
      case "input_audio_buffer.speech_started":
        this.handlers.speechStarted();
        break;
      case "input_audio_buffer.speech_stopped":
        // Server VAD ends the answer: later audio is not part of it.
        this.committed = true;
        this.handlers.speechStopped();
        break;
      case "conversation.item.input_audio_transcription.delta":
        this.handlers.delta(event.delta);
        break;
      case "conversation.item.input_audio_transcription.completed":
        this.finish();
        this.target.done(false);
        this.handlers.completed({
          transcript: event.transcript.trim(),
          words: event.words,
          noSpeech: event.no_speech,
          speechSeconds: event.speech_seconds,
        });
        break;
      case "conversation.item.input_audio_transcription.failed":
        this.fail("The speech worker could not transcribe the answer.", true);
        break;
      case "error":
        if (event.error.code === "input_audio_buffer_commit_empty") {
          this.finish();
          this.target.done(false);
          this.handlers.empty();
        } else this.fail(`The speech worker reported ${event.error.code ?? "an error"}: ${event.error.message ?? ""}`.trim(), event.error.code === "queue_full" || event.error.code === "model_not_loaded");
        break;
    }
  }

  private finish(): void {
    this.finished = true;
    try {
      this.socket?.close(1000, "done");
    } catch {
      // Already closing.
    }
  }

  private fail(reason: string, outage: boolean): void {
    if (this.finished) return;
    this.finish();
    if (this.socket) this.target.done(outage);
    this.handlers.failed(reason, outage);
  }
}

/** Base64 of bytes, in chunks (String.fromCharCode takes a bounded number of arguments). */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
