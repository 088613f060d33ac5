/**
 * Voice on the interview socket, for the Durable Object: the session's audio settings, spoken
 * answers (`audio_start`, binary pcm16 frames, `audio_end` or the speech worker's voice
 * activity detection), interviewer audio (interviewer-voice.ts) and `playback` reports.
 *
 * Spoken answers and their frames are handled as they arrive, outside the interview's frame
 * queue (a turn waiting on the model must not hold up 50 audio frames a second), and outside
 * the frame flood limit. What reaches the interview goes through the object like any other
 * input: the transcript as a `user_answer` (`submitAnswer`, with its turn check), the
 * numbered messages (`transcript`, `no_speech`, `turn_timing`) through the engine.
 *
 * One realtime transcription connection per spoken answer, to a speech worker picked from the
 * pool (speech/speech-pool.ts). When it cannot be had or fails mid-answer the client gets
 * `error` `speech_unavailable` and nothing else changes: the question stays open for a typed
 * answer, and the next `audio_start` tries again.
 */
import {
  errorBody,
  MAX_FRAME_BYTES,
  MAX_SPOKEN_ANSWER_BYTES,
  MAX_SPOKEN_ANSWER_SECONDS,
  AUDIO_INPUT_SAMPLE_RATE,
  parseVoiceFrame,
  type AnswerMetrics,
  type AudioOptions,
  type ErrorCode,
  type ServerMessage,
  type VoiceClientMessage,
} from "@interview/shared";
import type { Env } from "../../env.ts";
import type { ConsultRequest, Effect, SessionState } from "../../engine/types.ts";
import { speechClientFor } from "../../clients/speech-client.ts";
import { pickSpeechTarget } from "../../speech/speech-pool.ts";
import { deliveryMetrics, type TimedWord } from "../../speech/delivery-metrics.ts";
import type { SubmitAnswerOutcome } from "../interview-session.ts";
import { InterviewerVoice, spokenOf, type QuestionStream } from "./interviewer-voice.ts";
import { heardText } from "./word-spans.ts";
import { RealtimeTranscriber, type CompletedTranscription } from "./realtime-transcriber.ts";

const SETTINGS_KEY = "voice";
/** After the end of speech, a transcript later than this means the speech worker is stuck. */
const TRANSCRIPT_TIMEOUT_MS = 30_000;
/**
 * A spoken answer's first minute of audio is kept while it is transcribed, so that when its
 * speech worker dies mid-answer another can take the whole answer again (longer answers are
 * not kept: `speech_unavailable`, as with a single worker).
 */
const RETRY_KEEP_BYTES = 60 * AUDIO_INPUT_SAMPLE_RATE * 2;
/** turn_timing waits this long for the first interviewer audio byte. */
const FIRST_AUDIO_WAIT_MS = 30_000;

interface VoiceSettings extends AudioOptions {
  sessionId: string;
}

export interface VoiceHost {
  env: Env;
  kv: SyncKvStorage;
  /** The interview's live sockets. */
  sockets(): WebSocket[];
  session(): SessionState | null;
  /** Sends `message` to the session's socket numbered, through the engine (kept for replay). */
  announce(sessionId: string, message: ServerMessage): Promise<void>;
  /** Stores a server measurement as telemetry, optionally with a numbered message. */
  measure(sessionId: string, eventType: "turn_timing" | "question_heard", latencyMs: number | null, payload: unknown, announce?: ServerMessage): Promise<void>;
  /** `words`: the transcript's timings, for the delivery part of `feedback`. */
  submitAnswer(sessionId: string, answer: string, metrics: AnswerMetrics, turn: number, words?: TimedWord[]): Promise<SubmitAnswerOutcome>;
}

interface SpokenAnswer {
  sessionId: string;
  turn: number;
  transcriber: RealtimeTranscriber;
  bytes: number;
  /** When the answer's speech ended (VAD's speech_stopped, or audio_end), epoch ms. */
  endedAt: number | null;
  /** The speech worker's voice activity detection ended the answer. */
  vadStopped: boolean;
  /** The audio so far, for another worker if this one dies (null: too long to keep). */
  kept: ArrayBuffer[] | null;
  /** Workers that failed this answer, not tried again for it. */
  failedBases: Set<string>;
  timer: ReturnType<typeof setTimeout> | null;
}

export class VoiceChannel {
  private settingsCache: VoiceSettings | null | undefined;
  private answer: SpokenAnswer | null = null;
  private readonly out: InterviewerVoice;

  constructor(private readonly host: VoiceHost) {
    this.out = new InterviewerVoice({
      sockets: () => host.sockets(),
      client: (sessionId) => speechClientFor(host.env, undefined, sessionId),
      kv: host.kv,
      unavailable: (reason) => this.unavailable(reason),
    });
  }

  /** A new session starts with these audio options (none: voice off). */
  configure(sessionId: string, audio: AudioOptions | undefined): void {
    this.abandon();
    const settings: VoiceSettings | null = audio && (audio.input || audio.output) ? { sessionId, ...audio } : null;
    if (settings) this.host.kv.put(SETTINGS_KEY, settings);
    else if (this.settings() !== null) this.host.kv.delete(SETTINGS_KEY);
    this.settingsCache = settings;
  }

  /** The session was deleted: no more voice for it. */
  forget(): void {
    this.abandon();
    this.host.kv.delete(SETTINGS_KEY);
    this.settingsCache = null;
  }

  /**
   * A binary frame: audio of the spoken answer under way. True when voice input is on (a frame
   * after the answer ended, e.g. streamed past the end of speech, is dropped quietly).
   *
   * Bounds, checked as bytes arrive: a frame over 64 KiB (2 s of audio; clients send 20-100 ms)
   * is refused with `too_large`, as any frame that size, and not transcribed (the answer goes on
   * without it); audio past `MAX_SPOKEN_ANSWER_SECONDS` ends the answer with `audio_too_long`,
   * and what came before is transcribed as the answer.
   */
  takeAudio(ws: WebSocket, data: ArrayBuffer): boolean {
    const settings = this.settings();
    const session = this.host.session();
    if (!settings?.input || !session || settings.sessionId !== session.id) return false;
    if (data.byteLength > MAX_FRAME_BYTES) {
      const message = `Audio frame is ${data.byteLength} bytes; the limit is ${MAX_FRAME_BYTES} bytes (send 20-100 ms frames). It was not used.`;
      sendTo([ws], { type: "error", ...errorBody("too_large", message) });
      return true;
    }
    const answer = this.answer;
    if (!answer || answer.endedAt !== null) return true;
    if (answer.bytes + data.byteLength > MAX_SPOKEN_ANSWER_BYTES) {
      // Whole samples up to the cap still count; the rest of this frame and all after it do not.
      const room = (MAX_SPOKEN_ANSWER_BYTES - answer.bytes) & ~1;
      if (room > 0) this.append(answer, data.slice(0, room));
      this.send({ type: "error", ...errorBody("audio_too_long", `The spoken answer reached the ${MAX_SPOKEN_ANSWER_SECONDS} s limit: it was ended there, and what was said so far is transcribed as the answer.`) });
      this.endOfAnswer(answer);
      return true;
    }
    this.append(answer, data);
    return true;
  }

  private append(answer: SpokenAnswer, data: ArrayBuffer): void {
    answer.bytes += data.byteLength;
    if (answer.kept && answer.bytes <= RETRY_KEEP_BYTES) answer.kept.push(data);
    else answer.kept = null;
    answer.transcriber.append(data);
  }

  /** A text frame: true when it was a voice message (handled here, errors included). */
  takeMessage(ws: WebSocket, data: string): boolean {
    const session = this.host.session();
    const parsed = parseVoiceFrame(data, { hasSession: Boolean(session) });
    if (parsed === null) return false;
    if (!parsed.ok) {
      sendTo([ws], { type: "error", code: parsed.code, message: parsed.message });
      return true;
    }
    this.onMessage(ws, parsed.message, session!);
    return true;
  }

  /** Called after the engine's messages went out: voices the interviewer's, when asked to. */
  sent(session: SessionState, effects: readonly Effect[]): void {
    const settings = this.settings();
    if (!settings?.output || settings.sessionId !== session.id) return;
    for (const effect of effects) {
      if (effect.kind !== "send") continue;
      const spoken = spokenOf(effect.message);
      if (spoken) this.out.speak({ ...spoken, sessionId: session.id, style: session.style, format: settings.output });
    }
  }

  /**
   * The interviewer's next question voiced while the model writes it: with `stream: true` and
   * `audio.output`, for a consult that asks the model for a question; null otherwise.
   */
  questionStream(request: ConsultRequest): QuestionStream | null {
    const settings = this.settings();
    const session = this.host.session();
    if (!request.stream || !request.nextQuestion || !settings?.output || !session || settings.sessionId !== request.sessionId || session.id !== request.sessionId) return null;
    return this.out.streamQuestion({ sessionId: request.sessionId, turn: request.turn, style: request.style, format: settings.output });
  }

  private onMessage(ws: WebSocket, message: VoiceClientMessage, session: SessionState): void {
    const settings = this.settings();
    const refuse = (code: ErrorCode, text?: string) => sendTo([ws], { type: "error", ...errorBody(code, text) });
    if (session.ended) return refuse("session_ended");
    const on = settings?.sessionId === session.id ? settings : null;
    switch (message.type) {
      case "audio_start": {
        if (!on?.input) return refuse("audio_not_enabled", "Spoken answers are off for this session: start it with audio.input \"pcm16\".");
        if (message.turn !== session.turn) return refuse("stale_turn", `audio_start was for turn ${message.turn}, but the session is at turn ${session.turn}; nothing was started.`);
        if (this.answer) return refuse("invalid_message", `audio_start: a spoken answer to turn ${this.answer.turn} is under way; end it with audio_end first.`);
        this.start(session.id, message.turn);
        return;
      }
      case "audio_end":
        // After the server's own end of speech (or with no answer under way) there is nothing to end.
        if (this.answer) this.endOfAnswer(this.answer);
        return;
      case "playback": {
        if (!on?.output) return refuse("audio_not_enabled", "Interviewer audio is off for this session: start it with audio.output.");
        const spoken = this.out.spoken(session.id, message.turn);
        if (!spoken) return refuse("invalid_message", `playback.turn: no interviewer audio of turn ${message.turn} is known.`);
        const playedMs = Math.min(message.playedMs, spoken.durationMs);
        const heard = heardText(spoken.text, spoken.words, playedMs);
        const payload = { turn: spoken.turn, of: spoken.of, playedMs, durationMs: spoken.durationMs, heard, complete: playedMs >= spoken.durationMs };
        void this.host.measure(session.id, "question_heard", null, payload).catch((error) => console.error("playback not stored", error));
        return;
      }
    }
  }

  private start(sessionId: string, turn: number): void {
    if (!pickSpeechTarget(this.host.env)) {
      this.unavailable("Speech is not configured on this server (SPEECH_WORKER_URL is unset).");
      return;
    }
    const answer: SpokenAnswer = { sessionId, turn, transcriber: null!, bytes: 0, endedAt: null, vadStopped: false, kept: [], failedBases: new Set(), timer: null };
    this.answer = answer;
    this.connect(answer);
  }

  /** A transcription connection for `answer`, to a worker that has not failed it. */
  private connect(answer: SpokenAnswer): void {
    const { turn } = answer;
    const live = () => this.answer === answer;
    const pick = (exclude: ReadonlySet<string>) => pickSpeechTarget(this.host.env, Date.now(), new Set([...exclude, ...answer.failedBases]));
    const transcriber = new RealtimeTranscriber(pick, this.host.env.SPEECH_API_KEY, "en", {
      // Audio streamed faster than real time can hold a second utterance after the end of this one: not this answer's.
      speechStarted: () => live() && !answer.vadStopped && this.send({ type: "speech_started", turn }),
      speechStopped: () => {
        if (!live()) return;
        answer.vadStopped = true;
        this.endOfAnswer(answer);
      },
      delta: (text) => live() && this.send({ type: "transcript_delta", turn, text }),
      completed: (result) => live() && void this.completed(answer, result),
      empty: () => live() && void this.noSpeech(answer),
      failed: (reason, outage) => {
        if (!live() || answer.transcriber !== transcriber) return;
        if (outage && this.retry(answer, transcriber.base)) return;
        this.close(answer);
        this.unavailable(reason);
      },
    });
    answer.transcriber = transcriber;
    void transcriber.open();
  }

  /**
   * The answer's worker died mid-answer: the whole answer again on another one, when its audio
   * was kept and another worker is there. False when it cannot be retried.
   */
  private retry(answer: SpokenAnswer, failedBase: string | null): boolean {
    if (failedBase !== null) answer.failedBases.add(failedBase);
    if (!answer.kept || answer.failedBases.size >= 3) return false;
    if (!pickSpeechTarget(this.host.env, Date.now(), answer.failedBases)) return false;
    console.warn(JSON.stringify({ event: "speech_retry", sessionId: answer.sessionId, turn: answer.turn, failed: failedBase }));
    this.connect(answer);
    for (const data of answer.kept) answer.transcriber.append(data);
    if (answer.endedAt !== null) answer.transcriber.commit();
    return true;
  }

  /** Speech ended (VAD, push-to-talk, or the length cap): the transcript is awaited, bounded. */
  private endOfAnswer(answer: SpokenAnswer): void {
    if (answer.endedAt !== null) return;
    answer.endedAt = Date.now();
    answer.transcriber.commit();
    answer.timer = setTimeout(() => {
      if (this.answer !== answer) return;
      this.close(answer);
      this.unavailable(`The speech worker sent no transcript within ${TRANSCRIPT_TIMEOUT_MS / 1000} s of the end of speech.`);
    }, TRANSCRIPT_TIMEOUT_MS);
  }

  private async noSpeech(answer: SpokenAnswer): Promise<void> {
    this.close(answer);
    await this.host.announce(answer.sessionId, { type: "no_speech", turn: answer.turn });
  }

  private async completed(answer: SpokenAnswer, result: CompletedTranscription): Promise<void> {
    if (result.noSpeech || result.transcript === "") return this.noSpeech(answer);
    const transcribedAt = Date.now();
    const endedAt = answer.endedAt ?? transcribedAt;
    this.close(answer);
    const metrics = deliveryMetrics({ text: result.transcript, words: result.words, speech_seconds: result.speechSeconds, pause_ratio: null });
    const { sessionId, turn } = answer;
    await this.host.announce(sessionId, { type: "transcript", turn, text: result.transcript, words: result.words, metrics });
    // The answer's replies are for the next turn; its first audio byte closes the ledger.
    const firstAudio = this.settings()?.output ? this.out.firstByte(turn + 1) : null;
    const outcome = await this.host.submitAnswer(sessionId, result.transcript, { speakingRate: metrics.speakingRate, pauseRatio: metrics.pauseRatio, fillers: metrics.fillers }, turn, result.words);
    if (!outcome.ok) {
      const refusal: Record<typeof outcome.code, ServerMessage> = {
        stale_turn: { type: "error", ...errorBody("stale_turn", `The spoken answer was for turn ${turn}, but the session is at turn ${"turn" in outcome ? outcome.turn : "?"}; it was not submitted.`) },
        rate_limited: { type: "error", ...errorBody("rate_limited"), ...("retryAfter" in outcome ? { retryAfter: outcome.retryAfter } : {}) },
        session_ended: { type: "error", ...errorBody("session_ended") },
        not_found: { type: "error", ...errorBody("session_ended") },
      };
      this.send(refusal[outcome.code]);
      return;
    }
    const questionAt = Date.now();
    const audio = firstAudio ? await within(firstAudio, FIRST_AUDIO_WAIT_MS) : null;
    // Streamed: the model stage ends where the first sentence's text was complete, before the question was.
    const textAt = audio?.textAt ?? questionAt;
    const lastAt = audio?.at ?? questionAt;
    const stages = { transcription: transcribedAt - endedAt, model: textAt - transcribedAt, synthesis: audio === null ? null : audio.at - textAt };
    const totalMs = lastAt - endedAt;
    const streamed = audio?.textAt != null;
    const timing: ServerMessage = { type: "turn_timing", turn, stages, totalMs, streamed };
    await this.host.measure(sessionId, "turn_timing", totalMs, { turn, stages, audio: audio !== null, streamed }, timing);
  }

  private close(answer: SpokenAnswer): void {
    if (answer.timer) clearTimeout(answer.timer);
    answer.transcriber.close();
    if (this.answer === answer) this.answer = null;
  }

  private abandon(): void {
    if (this.answer) this.close(this.answer);
  }

  private unavailable(reason: string): void {
    this.send({ type: "error", ...errorBody("speech_unavailable", `Speech is unavailable (${reason}); the interview goes on in text, and voice comes back by itself.`) });
  }

  private send(message: ServerMessage): void {
    sendTo(this.host.sockets(), message);
  }

  private settings(): VoiceSettings | null {
    if (this.settingsCache === undefined) this.settingsCache = this.host.kv.get<VoiceSettings>(SETTINGS_KEY) ?? null;
    return this.settingsCache;
  }
}

function sendTo(sockets: WebSocket[], message: ServerMessage): void {
  const frame = JSON.stringify(message);
  for (const ws of sockets) {
    try {
      ws.send(frame);
    } catch {
      // Closed under us.
    }
  }
}

/** `promise`'s value, or null when it takes longer than `ms`. */
async function within<T>(promise: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
