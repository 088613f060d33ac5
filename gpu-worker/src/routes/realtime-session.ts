/**
 * One realtime transcription session (one WebSocket): audio in, turn events and transcripts
 * out. Independent of the socket (it gets a `send` function), so its rules read in one place:
 *
 * - The session's audio timeline starts at the first sample the client sends; `audio_start_ms`,
 *   `audio_end_ms` and word times are on it.
 * - With `server_vad`, every whole 32 ms frame goes to Silero VAD (batched with the other
 *   sessions' frames in the VAD thread) and the turn detector decides start and stop. Until
 *   speech starts only `prefix_padding_ms` (+ the detector's minimum speech) of audio is kept.
 * - While speaking, a partial transcription of the turn so far runs every
 *   `partialIntervalMs` of new audio, only when an ASR thread is free at that moment (partials
 *   never wait in the queue, so they never delay a final transcript); each gives a `delta`
 *   event with the whole current guess (`replace: true`).
 * - Speech stopped (or a manual commit) commits the turn: from speech start minus the prefix
 *   padding to the current position, transcribed with word timestamps through the same ASR
 *   pool and queue as the HTTP route, where VAD again keeps Whisper to the speech, and
 *   Whisper's known inventions are dropped. `completed` follows, with `no_speech: true` and an
 *   empty transcript when nothing was said.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { EnginePool } from "../inference/pool.ts";
import type { TranscribeResult } from "../inference/types.ts";
import type { VadBatcher } from "../inference/vad-batcher.ts";
import { DEFAULT_MIN_SPEECH_MS, FRAME_SAMPLES, SAMPLE_RATE, TurnDetector } from "../pipelines/turn-detector.ts";
import { ApiError } from "../errors.ts";
import { regionsFromProbabilities } from "../pipelines/vad.ts";
import type { SpeechRegion } from "../inference/types.ts";
import {
  ClientEvent, CLIENT_EVENT_TYPES, DEFAULT_PREFIX_PADDING_MS, DEFAULT_SILENCE_MS, describeIssue,
  type RealtimeErrorCode, type ServerEvent, type SessionConfig, type SessionUpdateEvent,
} from "./realtime-events.ts";

export interface RealtimeSessionOptions {
  send: (event: ServerEvent) => void;
  vad: VadBatcher;
  asr: EnginePool;
  asrThreads: number;
  /** Model names the session accepts (as the HTTP route). */
  models: ReadonlySet<string>;
  defaultModel: string;
  vadThreshold: number;
  maxAudioSeconds: number;
  partialIntervalMs: number;
  log: FastifyBaseLogger;
}

/** Audio kept in front of a possible speech start while nobody speaks (see prefix padding). */
const MIN_SPEECH_SAMPLES = Math.ceil((DEFAULT_MIN_SPEECH_MS / 1000) * SAMPLE_RATE / FRAME_SAMPLES) * FRAME_SAMPLES;

interface Turn {
  itemId: string;
  /** Sample where Silero's speech began (for audio_start_ms). */
  speechStart: number;
  /** First sample the turn's audio includes (speech start minus the prefix padding). */
  from: number;
  /** Sample up to which the last partial ran. */
  partialAt: number;
  partialRunning: boolean;
  lastDelta: string;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export class RealtimeSession {
  readonly id = `sess_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
  readonly #o: RealtimeSessionOptions;
  #config: SessionConfig;
  /** Audio kept, from sample #bufferStart on the session timeline to #received. */
  #buffer = new Float32Array(SAMPLE_RATE * 4);
  #bufferStart = 0;
  #received = 0;
  /** Samples waiting to complete a VAD frame, and the timeline position of their first sample. */
  #vadTail = new Float32Array(0);
  #vadTailStart = 0;
  /** End of the last frame the turn detector has seen. */
  #vadDone = 0;
  /**
   * Speech probability of each VAD frame from sample #probsStart on (consecutive frames), kept
   * as long as the audio: a committed turn's speech regions come from them, so the ASR thread
   * does not run Silero over the turn a second time.
   */
  #probs: number[] = [];
  #probsStart = 0;
  #vadState: Float32Array;
  /**
   * Whole frames waiting for VAD, and where the first starts. One VAD request per session is in
   * flight at a time, carrying every frame that arrived meanwhile: a stream whose requests wait
   * (a busy VAD thread) sends more frames per request instead of falling further behind.
   */
  #vadWaiting: Float32Array[] = [];
  #vadWaitingStart = 0;
  #vadPumping = false;
  /** Frames before this sample belong to audio already committed or cleared: not turn material. */
  #vadIgnoreBefore = 0;
  #detector: TurnDetector;
  #turn: Turn | null = null;
  #previousItem: string | null = null;
  #closed = false;

  constructor(options: RealtimeSessionOptions, initialVadState: Float32Array) {
    this.#o = options;
    this.#vadState = initialVadState;
    this.#config = {
      input_audio_format: "pcm16",
      input_audio_transcription: { model: options.defaultModel, language: "en", prompt: "" },
      turn_detection: { type: "server_vad", threshold: options.vadThreshold, prefix_padding_ms: DEFAULT_PREFIX_PADDING_MS, silence_duration_ms: DEFAULT_SILENCE_MS },
    };
    this.#detector = new TurnDetector(this.#detectorOptions());
  }

  get config(): SessionConfig {
    return this.#config;
  }

  start(): void {
    this.#o.send({ type: "transcription_session.created", session: this.#sessionView() });
  }

  /** One text message from the client. Never throws: bad input becomes an `error` event. */
  handle(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.#error("invalid_json", "The message is not valid JSON.", null, null);
      return;
    }
    const eventId = typeof (json as { event_id?: unknown })?.event_id === "string" ? (json as { event_id: string }).event_id : null;
    const type = (json as { type?: unknown })?.type;
    if (typeof type !== "string" || !(CLIENT_EVENT_TYPES as readonly string[]).includes(type)) {
      this.#error("unknown_event", `Unknown event type ${JSON.stringify(type ?? null)}. Send one of: ${CLIENT_EVENT_TYPES.join(", ")}.`, "type", eventId);
      return;
    }
    const parsed = ClientEvent.safeParse(json);
    if (!parsed.success) {
      const { message, param } = describeIssue(parsed.error);
      this.#error(param === "audio" ? "invalid_audio" : "invalid_event", message, param, eventId);
      return;
    }
    const event = parsed.data;
    switch (event.type) {
      case "transcription_session.update":
        this.#update(event, eventId);
        return;
      case "input_audio_buffer.append":
        this.#append(event.audio, eventId);
        return;
      case "input_audio_buffer.commit":
        this.#commitByClient(eventId);
        return;
      case "input_audio_buffer.clear":
        this.#clear();
        return;
    }
  }

  /** The socket closed: nothing more is sent; running transcriptions finish and are dropped. */
  close(): void {
    this.#closed = true;
  }

  #detectorOptions() {
    const td = this.#config.turn_detection;
    return { threshold: td?.threshold ?? this.#o.vadThreshold, silenceDurationMs: td?.silence_duration_ms ?? DEFAULT_SILENCE_MS, minSpeechMs: DEFAULT_MIN_SPEECH_MS };
  }

  #sessionView() {
    return { id: this.id, object: "realtime.transcription_session" as const, ...this.#config };
  }

  #send(event: ServerEvent): void {
    if (!this.#closed) this.#o.send(event);
  }

  #error(code: RealtimeErrorCode, message: string, param: string | null, eventId: string | null, type: "invalid_request_error" | "server_error" | "rate_limit_error" = "invalid_request_error"): void {
    this.#o.log.info({ session: this.id, code, msg: message }, "realtime event refused");
    this.#send({ type: "error", error: { type, code, message, param, event_id: eventId } });
  }

  #update(event: SessionUpdateEvent, eventId: string | null): void {
    const s = event.session;
    const info = this.#o.asr.info;
    const t = s.input_audio_transcription;
    if (t?.model !== undefined && !this.#o.models.has(t.model)) {
      this.#error("model_not_found", `The model '${t.model}' does not exist. Use one of: ${[...this.#o.models].join(", ")}.`, "session.input_audio_transcription.model", eventId);
      return;
    }
    if (t?.language !== undefined && info && !info.languages.includes(t.language)) {
      this.#error("unsupported_language", `Language '${t.language}' is not supported by ${info.model}. Supported: ${info.languages.join(", ")}.`, "session.input_audio_transcription.language", eventId);
      return;
    }
    const next: SessionConfig = { ...this.#config, input_audio_transcription: { ...this.#config.input_audio_transcription } };
    if (t) {
      if (t.model !== undefined) next.input_audio_transcription.model = t.model;
      if (t.language !== undefined) next.input_audio_transcription.language = t.language;
      if (t.prompt !== undefined) next.input_audio_transcription.prompt = t.prompt;
    }
    if (s.turn_detection === null) next.turn_detection = null;
    else if (s.turn_detection) {
      const prev = this.#config.turn_detection;
      next.turn_detection = {
        type: "server_vad",
        threshold: s.turn_detection.threshold ?? prev?.threshold ?? this.#o.vadThreshold,
        prefix_padding_ms: s.turn_detection.prefix_padding_ms ?? prev?.prefix_padding_ms ?? DEFAULT_PREFIX_PADDING_MS,
        silence_duration_ms: s.turn_detection.silence_duration_ms ?? prev?.silence_duration_ms ?? DEFAULT_SILENCE_MS,
      };
    }
    const wasOn = this.#config.turn_detection !== null;
    this.#config = next;
    // A turn in progress goes on under the new settings. Switched off, the client commits it;
    // switched on, detection starts from the audio that arrives next.
    this.#detector.configure(this.#detectorOptions());
    if (!wasOn && next.turn_detection) {
      this.#vadTail = new Float32Array(0);
      this.#vadTailStart = this.#received;
      this.#probs = [];
    }
    this.#send({ type: "transcription_session.updated", session: this.#sessionView() });
  }

  /** Extension: a binary WebSocket message is raw pcm16, handled as an append of the same bytes. */
  handleAudio(bytes: Buffer): void {
    this.#appendBytes(bytes, null);
  }

  #append(base64: string, eventId: string | null): void {
    this.#appendBytes(Buffer.from(base64, "base64"), eventId);
  }

  #appendBytes(bytes: Buffer, eventId: string | null): void {
    if (bytes.length % 2 !== 0) {
      this.#error("invalid_audio", `audio must be whole 16-bit samples; got ${bytes.length} bytes.`, "audio", eventId);
      return;
    }
    const n = bytes.length / 2;
    if (n === 0) return;
    const kept = this.#received - this.#bufferStart;
    if ((kept + n) / SAMPLE_RATE > this.#o.maxAudioSeconds) {
      this.#error("buffer_too_long", `The input audio buffer would hold more than ${this.#o.maxAudioSeconds} s (MAX_AUDIO_SECONDS): commit or clear it. This audio was not added.`, "audio", eventId);
      return;
    }
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = bytes.readInt16LE(i * 2) / 32768;
    this.#store(samples);
    if (this.#config.turn_detection) this.#feedVad(samples);
  }

  #store(samples: Float32Array): void {
    const used = this.#received - this.#bufferStart;
    if (used + samples.length > this.#buffer.length) {
      const grown = new Float32Array(Math.max(used + samples.length, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, used));
      this.#buffer = grown;
    }
    this.#buffer.set(samples, used);
    this.#received += samples.length;
  }

  /** Audio between two timeline positions (clamped to what is kept), as a new array. */
  #audio(from: number, to: number): Float32Array {
    const a = Math.max(from, this.#bufferStart) - this.#bufferStart;
    const b = Math.max(a, Math.min(to, this.#received) - this.#bufferStart);
    return this.#buffer.slice(a, b);
  }

  /** Forgets the audio before `position` (kept audio moves to the front), and its frames' probabilities. */
  #dropBefore(position: number): void {
    const cut = Math.min(Math.max(position, this.#bufferStart), this.#received) - this.#bufferStart;
    if (cut <= 0) return;
    this.#buffer.copyWithin(0, cut, this.#received - this.#bufferStart);
    this.#bufferStart += cut;
    const frames = Math.min(this.#probs.length, Math.floor((this.#bufferStart - this.#probsStart) / FRAME_SAMPLES));
    if (frames > 0) {
      this.#probs.splice(0, frames);
      this.#probsStart += frames * FRAME_SAMPLES;
    }
  }

  /**
   * Speech regions of the audio [from, to) (seconds from `from`) from the stream's own VAD
   * frames, by the same rules the ASR thread applies (vad.ts); undefined when the frames do not
   * cover it (detection off, or VAD still behind), and the ASR thread then runs VAD itself.
   */
  #regions(from: number, to: number): SpeechRegion[] | undefined {
    if (!this.#config.turn_detection || this.#vadDone < to || this.#probs.length === 0) return undefined;
    const first = Math.floor((from - this.#probsStart) / FRAME_SAMPLES);
    if (first < 0) return undefined;
    const last = Math.min(this.#probs.length, Math.ceil((to - this.#probsStart) / FRAME_SAMPLES));
    const shift = (this.#probsStart + first * FRAME_SAMPLES - from) / SAMPLE_RATE;
    const duration = (to - from) / SAMPLE_RATE;
    const probs = Float32Array.from(this.#probs.slice(first, last));
    const threshold = this.#config.turn_detection.threshold;
    return regionsFromProbabilities(probs, threshold, (last - first) * FRAME_SAMPLES / SAMPLE_RATE)
      .map((r) => ({ start: round3(Math.max(0, r.start + shift)), end: round3(Math.min(duration, r.end + shift)) }))
      .filter((r) => r.end > r.start);
  }

  #feedVad(samples: Float32Array): void {
    const joined = new Float32Array(this.#vadTail.length + samples.length);
    joined.set(this.#vadTail);
    joined.set(samples, this.#vadTail.length);
    const whole = Math.floor(joined.length / FRAME_SAMPLES) * FRAME_SAMPLES;
    this.#vadTail = joined.slice(whole);
    const start = this.#vadTailStart;
    this.#vadTailStart += whole;
    if (whole === 0) return;
    if (this.#vadWaiting.length === 0) this.#vadWaitingStart = start;
    this.#vadWaiting.push(joined.slice(0, whole));
    if (!this.#vadPumping) void this.#pumpVad();
  }

  /** Sends the waiting frames to VAD, all at once, until none wait. */
  async #pumpVad(): Promise<void> {
    this.#vadPumping = true;
    try {
      while (this.#vadWaiting.length > 0 && !this.#closed) {
        const parts = this.#vadWaiting;
        const start = this.#vadWaitingStart;
        this.#vadWaiting = [];
        const frames = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
        parts.reduce((at, p) => { frames.set(p, at); return at + p.length; }, 0);
        await this.#runVad(frames, start);
      }
    } catch (err) {
      this.#o.log.error({ err, session: this.id }, "streaming VAD failed");
    } finally {
      this.#vadPumping = false;
    }
  }

  async #runVad(frames: Float32Array, start: number): Promise<void> {
    if (this.#closed) return;
    const { probs, state } = await this.#o.vad.run(frames, this.#vadState);
    this.#vadState = state;
    if (this.#probs.length === 0 || this.#probsStart + this.#probs.length * FRAME_SAMPLES !== start) {
      this.#probs = [];
      this.#probsStart = start;
    }
    for (let i = 0; i < probs.length; i++) {
      const frameStart = start + i * FRAME_SAMPLES;
      this.#vadDone = frameStart + FRAME_SAMPLES;
      this.#probs.push(probs[i]!);
      // Committed or cleared audio, or detection switched off meanwhile: not turn material.
      if (frameStart < this.#vadIgnoreBefore || !this.#config.turn_detection) continue;
      const event = this.#detector.push(probs[i]!, frameStart);
      if (event?.type === "speech_started") this.#speechStarted(event.sample);
      else if (event?.type === "speech_stopped") this.#speechStopped(event.sample);
    }
    const position = this.#vadDone;
    if (this.#turn) this.#maybePartial(position);
    else {
      // Nobody speaking: keep only what a speech start could reach back to.
      const prefix = Math.round(((this.#config.turn_detection?.prefix_padding_ms ?? 0) / 1000) * SAMPLE_RATE);
      this.#dropBefore(position - MIN_SPEECH_SAMPLES - prefix);
    }
  }

  #speechStarted(sample: number): void {
    const prefix = Math.round(((this.#config.turn_detection?.prefix_padding_ms ?? 0) / 1000) * SAMPLE_RATE);
    const itemId = `item_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    this.#turn = { itemId, speechStart: sample, from: Math.max(this.#bufferStart, this.#vadIgnoreBefore, sample - prefix), partialAt: sample, partialRunning: false, lastDelta: "" };
    this.#send({ type: "input_audio_buffer.speech_started", audio_start_ms: Math.round(sample / 16), item_id: itemId });
  }

  #speechStopped(sample: number): void {
    const turn = this.#turn;
    if (!turn) return;
    this.#send({ type: "input_audio_buffer.speech_stopped", audio_end_ms: Math.round(sample / 16), item_id: turn.itemId });
    this.#commit(turn.itemId, turn.from, this.#vadDone, turn.speechStart, sample);
  }

  #maybePartial(position: number): void {
    const turn = this.#turn!;
    const interval = (this.#o.partialIntervalMs / 1000) * SAMPLE_RATE;
    if (turn.partialRunning || position - turn.partialAt < interval) return;
    // Only on a free thread: a partial never waits in the queue ahead of someone's final.
    if (this.#o.asr.inFlight >= this.#o.asrThreads) return;
    turn.partialRunning = true;
    turn.partialAt = position;
    const audio = this.#audio(turn.from, position);
    const speech = this.#regions(turn.from, position);
    this.#o.asr
      .transcribe({ kind: "transcribe", audio: { kind: "samples", samples: audio, sampleRate: SAMPLE_RATE }, language: this.#config.input_audio_transcription.language, temperature: 0, words: false, segments: false, ...(speech ? { speech } : {}) })
      .then((result) => {
        // A partial that comes back after its turn was committed is stale.
        if (this.#turn !== turn || !result.text || result.text === turn.lastDelta) return;
        turn.lastDelta = result.text;
        this.#send({ type: "conversation.item.input_audio_transcription.delta", item_id: turn.itemId, content_index: 0, delta: result.text, replace: true });
      })
      .catch((err: unknown) => {
        this.#o.log.debug({ err, session: this.id }, "partial transcription skipped");
      })
      .finally(() => {
        turn.partialRunning = false;
      });
  }

  #commitByClient(eventId: string | null): void {
    const turn = this.#turn;
    const from = turn ? turn.from : Math.max(this.#bufferStart, this.#vadIgnoreBefore);
    if (this.#received - from <= 0) {
      this.#error("input_audio_buffer_commit_empty", "The input audio buffer is empty: append audio before committing.", null, eventId);
      return;
    }
    const itemId = turn?.itemId ?? `item_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    this.#detector.reset();
    // Frames of this audio still on their way through VAD must not start a new turn.
    this.#vadIgnoreBefore = this.#received;
    this.#commit(itemId, from, this.#received, turn?.speechStart ?? from, this.#received);
  }

  #clear(): void {
    this.#turn = null;
    this.#detector.reset();
    this.#vadIgnoreBefore = this.#received;
    this.#dropBefore(this.#received);
    this.#send({ type: "input_audio_buffer.cleared" });
  }

  #commit(itemId: string, from: number, to: number, speechStart: number, speechEnd: number): void {
    const audio = this.#audio(from, to);
    const speech = this.#regions(from, to);
    this.#turn = null;
    this.#dropBefore(to);
    this.#send({ type: "input_audio_buffer.committed", previous_item_id: this.#previousItem, item_id: itemId });
    this.#previousItem = itemId;
    void this.#transcribe(itemId, audio, speech, from, speechStart, speechEnd);
  }

  async #transcribe(itemId: string, audio: Float32Array, speech: SpeechRegion[] | undefined, from: number, speechStart: number, speechEnd: number): Promise<void> {
    const started = performance.now();
    const seconds = round3(audio.length / SAMPLE_RATE); // before the audio is transferred to the ASR thread
    const offset = from / SAMPLE_RATE;
    const words = Boolean(this.#o.asr.info?.wordTimestamps);
    let result: TranscribeResult;
    try {
      result = await this.#o.asr.transcribe({ kind: "transcribe", audio: { kind: "samples", samples: audio, sampleRate: SAMPLE_RATE }, language: this.#config.input_audio_transcription.language, temperature: 0, words, segments: false, ...(speech ? { speech } : {}) });
    } catch (err) {
      const code: RealtimeErrorCode = err instanceof ApiError && (err.code === "queue_full" || err.code === "model_not_loaded") ? err.code : "transcription_failed";
      const message = err instanceof ApiError ? err.message : "The transcription failed.";
      if (code === "transcription_failed") this.#o.log.error({ err, session: this.id, item: itemId }, "realtime transcription failed");
      this.#send({ type: "conversation.item.input_audio_transcription.failed", item_id: itemId, content_index: 0, error: { type: code === "queue_full" ? "rate_limit_error" : "server_error", code, message } });
      return;
    }
    const noSpeech = result.text === "";
    this.#o.log.info({ session: this.id, item: itemId, ms: Math.round(performance.now() - started), seconds, noSpeech, discarded: result.discarded?.reason ?? null }, "realtime turn transcribed");
    this.#send({
      type: "conversation.item.input_audio_transcription.completed",
      item_id: itemId,
      content_index: 0,
      transcript: result.text,
      words: result.words.map((w) => ({ word: w.word, start: round3(w.start + offset), end: round3(w.end + offset) })),
      no_speech: noSpeech,
      discarded: result.discarded,
      audio_start_ms: Math.round(speechStart / 16),
      audio_end_ms: Math.round(speechEnd / 16),
      speech_seconds: result.speechSeconds,
      pause_ratio: result.pauseRatio,
    });
  }
}
