/**
 * The interviewer's audio on the interview socket (`start_session.audio.output`): each
 * question, follow-up, clarification and closing message is synthesised by a speech worker
 * (one sentence at a time) and sent as `audio_out_start`, binary frames, `audio_out_end` with
 * the words' times and their places in the message text.
 *
 * With `stream: true` a question the model writes is voiced while it is written
 * (`streamQuestion`): each sentence of its streamed text is synthesised as soon as it is
 * complete and its audio sent, in order, before the `question` message exists; what the model
 * had not finished when its call ended is synthesised from the question it wrote. The text the
 * `question` message finally carries decides what that audio was: when it says what was
 * voiced (the same words in the same order; whitespace and punctuation may differ, e.g. the
 * "?" the cleaning adds), `audio_out_end` closes it with word spans into that final text. When
 * it does not (the model's reply was unusable and the heuristics wrote the question, or the
 * session ended instead), audio already sent is withdrawn with `audio_out_cancel` and the
 * final message is voiced from the start, in its own `audio_out_start` ... `audio_out_end`.
 *
 * Jobs run one after another in the order the messages were sent, outside the interview's
 * frame queue, so synthesis never holds up a turn. Audio is live only: none of these frames is
 * numbered or kept for replay (the text message each voices is); a resumed client asks
 * `/tts` for a question it missed. What was voiced is remembered (the last few, in storage)
 * so a `playback` report can say what the candidate actually heard.
 */
import { TTS_SPEED_BY_STYLE, type AudioOptions, type ServerMessage, type SpokenKind, type SpokenWord, type Style } from "@interview/shared";
import type { SpeechClient, SpeechResult, TimedSpeech } from "../../clients/speech-client.ts";
import { estimateWordTimings } from "./word-spans.ts";
import { alignSentences, offsetMapper, SentenceSplitter, splitSentences } from "./sentence-splitter.ts";

/** The voice every compatible speech server knows (the speech worker maps it to Kokoro's). */
const VOICE = "alloy";
/** Binary frames of interviewer audio are at most this large. */
export const AUDIO_OUT_FRAME_BYTES = 16 * 1024;
/** Reading one message's audio takes longer than this only when the speech worker is stuck. */
const READ_TIMEOUT_MS = 30_000;
const SPOKEN_KEY = "voice_spoken";
const SPOKEN_KEPT = 4;
const WAV_HEADER_BYTES = 44;

/** A message that was voiced, kept for `playback` reports. */
export interface Spoken {
  sessionId: string;
  turn: number;
  of: SpokenKind;
  text: string;
  durationMs: number;
  words: SpokenWord[];
}

export interface VoiceOutHost {
  sockets(): WebSocket[];
  client(sessionId: string): SpeechClient;
  kv: SyncKvStorage;
  /** The speech worker failed: tell the client (unnumbered `error` `speech_unavailable`). */
  unavailable(reason: string): void;
}

/** Who is spoken to and how: what a message's voice and a streamed question's share. */
interface Voicing {
  sessionId: string;
  turn: number;
  style: Style;
  format: NonNullable<AudioOptions["output"]>;
}

interface Job extends Voicing {
  of: SpokenKind;
  text: string;
}

/**
 * When the first audio byte of a turn's message was sent (`at`), and, for a question voiced
 * while the model wrote it, when the text of the sentence it began with was complete
 * (`textAt`; null otherwise): for `turn_timing`.
 */
export interface FirstByte {
  at: number;
  textAt: number | null;
}

/** A question the model is writing, voiced while it writes (`InterviewerVoice.streamQuestion`). */
export interface QuestionStream {
  /** Text of the question as the model writes it (what `interviewer_delta` shows). */
  push(delta: string): void;
  /** The model's question call ended: the question it wrote, or null when it was unusable. */
  done(question: string | null): void;
  /** The turn's consult is over and its messages were sent: a stream no message took is withdrawn. */
  settle(): void;
}

/** A streamed question's state, shared by its producer (the model's hooks) and its runner. */
interface Streamed {
  voicing: Voicing;
  splitter: SentenceSplitter;
  /** Sentences of the streamed text whose synthesis was asked for, in order. */
  parts: { text: string; completedAt: number; result: Promise<SpeechResult<TimedSpeech>> }[];
  /** What the question will say: undefined while the model writes, null when its reply was unusable. */
  target: { text: string; at: number } | null | undefined;
  /** The message that voices this turn, once sent. */
  final: Job | null;
  settled: boolean;
  abort: AbortController;
  signal: Signal;
  out: Emission;
  /** How many of `parts` were sent. */
  sentParts: number;
}

/** What a sent message is voiced as, or null for messages without a voice. */
export function spokenOf(message: ServerMessage): { of: SpokenKind; turn: number; text: string } | null {
  switch (message.type) {
    case "question":
      return { of: message.source === "follow_up" ? "follow_up" : "question", turn: message.turn, text: message.question };
    case "clarification":
      return { of: "clarification", turn: message.turn, text: message.message };
    case "session_ended":
      return { of: "closing", turn: message.turn, text: message.message };
    default:
      return null;
  }
}

export class InterviewerVoice {
  private chain: Promise<void> = Promise.resolve();
  /** When the first audio byte of a turn's message went out (or null: it failed), for turn_timing. */
  private readonly firstBytes = new Map<number, { at: Promise<FirstByte | null>; resolve: (at: FirstByte | null) => void }>();
  /** Questions voiced while the model writes them, by session and turn. */
  private readonly streams = new Map<string, Streamed>();

  constructor(private readonly host: VoiceOutHost) {}

  speak(job: Job): void {
    const streamed = this.streams.get(streamKey(job));
    if (streamed && !streamed.final && !streamed.settled) {
      // The message a streamed question becomes: its runner, already in the chain, voices it.
      streamed.final = job;
      if (streamed.target === undefined) streamed.target = { text: job.text, at: Date.now() };
      this.resolveKept(streamed);
      streamed.signal.notify();
      return;
    }
    this.firstByte(job.turn);
    this.enqueue(() => this.run(job));
  }

  /**
   * Voices the question of `voicing.turn` while the model writes it. Its place in the order of
   * audio is now (the consult starts), before any message it becomes.
   */
  streamQuestion(voicing: Voicing): QuestionStream {
    const key = streamKey(voicing);
    this.streams.get(key)?.abort.abort();
    const s: Streamed = {
      voicing,
      splitter: new SentenceSplitter(),
      parts: [],
      target: undefined,
      final: null,
      settled: false,
      abort: new AbortController(),
      signal: new Signal(),
      out: new Emission(),
      sentParts: 0,
    };
    this.streams.set(key, s);
    this.firstByte(voicing.turn);
    this.enqueue(() => this.runStreamed(s));
    const client = this.host.client(voicing.sessionId);
    const speed = TTS_SPEED_BY_STYLE[voicing.style] ?? 1;
    return {
      push: (delta) => {
        if (s.target !== undefined || s.settled) return;
        for (const sentence of s.splitter.push(delta)) {
          const result = client.synthesizeWithTimestamps({ input: sentence.text, voice: VOICE, speed, format: "pcm" }, s.abort.signal);
          s.parts.push({ text: sentence.text, completedAt: Date.now(), result });
        }
        s.signal.notify();
      },
      done: (question) => {
        if (s.target !== undefined) return;
        s.target = question === null ? null : { text: question, at: Date.now() };
        s.signal.notify();
      },
      settle: () => {
        s.settled = true;
        if (s.target === undefined) s.target = null;
        s.signal.notify();
      },
    };
  }

  /** Resolves with when the first audio byte of `turn`'s message was sent, or null when none will be. */
  firstByte(turn: number): Promise<FirstByte | null> {
    let entry = this.firstBytes.get(turn);
    if (!entry) {
      let resolve!: (at: FirstByte | null) => void;
      const at = new Promise<FirstByte | null>((r) => (resolve = r));
      entry = { at, resolve };
      this.firstBytes.set(turn, entry);
      // Only the latest few turns are ever waited for.
      for (const key of this.firstBytes.keys()) if (key < turn - 4) this.firstBytes.delete(key);
    }
    return entry.at;
  }

  /** The voiced message of `turn` in `sessionId` (the latest of that turn), if it is still remembered. */
  spoken(sessionId: string, turn: number): Spoken | null {
    const all = this.host.kv.get<Spoken[]>(SPOKEN_KEY) ?? [];
    return all.filter((s) => s.sessionId === sessionId && s.turn === turn).at(-1) ?? null;
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((error) => console.error("Interviewer audio failed", error));
  }

  private async run(job: Job): Promise<void> {
    if (await this.runTimed(job)) return;
    await this.runStreamed1(job);
  }

  /**
   * The speech worker's own word timings (`/v1/audio/speech/with-timestamps`), one request
   * per sentence so the first sentence plays while the next is synthesised. False when the
   * first sentence cannot be had that way (a server without the route, or down): the
   * streamed route with estimated spans takes over.
   */
  private async runTimed(job: Job): Promise<boolean> {
    const done = (at: number | null) => this.firstBytes.get(job.turn)?.resolve(at === null ? null : { at, textAt: null });
    const speed = TTS_SPEED_BY_STYLE[job.style] ?? 1;
    const client = this.host.client(job.sessionId);
    const sentences = splitSentences(job.text);
    const request = (i: number) => client.synthesizeWithTimestamps({ input: sentences[i]!.text, voice: VOICE, speed, format: "pcm" });
    let next = sentences.length > 0 ? request(0) : null;
    const out = new Emission();
    out.onFirstByte = (at) => done(at);
    for (let i = 0; next; i++) {
      const result = await next;
      if (!result.ok) {
        if (i === 0) return false;
        this.host.unavailable(result.failure.message);
        break;
      }
      // The next sentence is synthesised while this one is sent.
      next = i + 1 < sentences.length ? request(i + 1) : null;
      const sentence = sentences[i]!;
      this.emit(job, out, result.value, (w) => ({ word: w.word, from: w.from + sentence.from, to: w.to + sentence.from }));
    }
    if (out.firstAt === null) done(null);
    this.finish(job, out);
    return true;
  }

  /**
   * A question voiced while the model writes it (see the header): the streamed sentences in
   * order while they still match what the question will say, then the rest of it, then, once
   * the message is sent, `audio_out_end` when it says what was voiced, or `audio_out_cancel`
   * and the message voiced anew when it does not.
   */
  private async runStreamed(s: Streamed): Promise<void> {
    const { voicing, out } = s;
    const speaking: Job = { ...voicing, of: "question", text: "" };
    /** How many streamed sentences may still be sent: all while the model writes, then those the question says. */
    const limit = () => (s.target === undefined ? Infinity : s.target === null ? 0 : alignSentences(s.parts.map((p) => p.text), s.target.text).length);
    /** Words of what was sent, each mapped into the question once it is known. */
    const sent: { words: TimedSpeech["words"]; at: number; map: (w: TimedSpeech["words"][number]) => { word: string; from: number; to: number } | null }[] = [];
    let sentParts = 0;
    let failed = false;
    // The streamed sentences.
    for (;;) {
      if (sentParts < s.parts.length && sentParts < limit()) {
        const part = s.parts[sentParts]!;
        const result = await part.result;
        if (sentParts >= limit()) continue;
        if (!result.ok) {
          // Nothing sent yet: the message is voiced as any other (the untimed route included).
          if (out.started) this.host.unavailable(result.failure.message);
          failed = true;
          break;
        }
        const index = sentParts;
        this.emit(speaking, out, result.value, () => null, part.completedAt);
        sent.push({ words: result.value.words, at: out.lastAt, map: (w) => this.mapStreamed(s, index, w) });
        sentParts++;
        s.sentParts = sentParts;
        this.resolveKept(s);
        continue;
      }
      if (s.target !== undefined) break;
      await s.signal.wait();
    }
    let cancelled = false;
    const cancel = (reason: "replaced" | "withdrawn") => {
      if (!out.started || cancelled) return;
      cancelled = true;
      this.broadcast(JSON.stringify({ type: "audio_out_cancel", turn: voicing.turn, reason } satisfies ServerMessage));
    };
    // What was sent is not what the model's question says (its reply was unusable, or it says
    // other words): withdrawn now, not when the message is sent.
    const target = s.target;
    const spans = target ? alignSentences(s.parts.slice(0, sentParts).map((p) => p.text), target.text) : [];
    if (target === null || spans.length < sentParts) cancel("replaced");
    // The rest of the question, from the text the model wrote.
    if (target && !failed && !cancelled) {
      const restFrom = sentParts > 0 ? spans[sentParts - 1]!.to : 0;
      const rest = splitSentences(target.text.slice(restFrom)).map((x) => ({ text: x.text, from: x.from + restFrom }));
      const client = this.host.client(voicing.sessionId);
      const speed = TTS_SPEED_BY_STYLE[voicing.style] ?? 1;
      const request = (i: number) => client.synthesizeWithTimestamps({ input: rest[i]!.text, voice: VOICE, speed, format: "pcm" }, s.abort.signal);
      let next = rest.length > 0 ? request(0) : null;
      for (let i = 0; next; i++) {
        const result = await next;
        if (!result.ok) {
          if (out.started) this.host.unavailable(result.failure.message);
          failed = true;
          break;
        }
        next = i + 1 < rest.length ? request(i + 1) : null;
        const sentence = rest[i]!;
        this.emit(speaking, out, result.value, () => null, target.at);
        sent.push({ words: result.value.words, at: out.lastAt, map: (w) => ({ word: w.word, from: w.from + sentence.from, to: w.to + sentence.from }) });
        this.resolveKept(s);
      }
    }
    // The message decides.
    while (!s.final && !s.settled) await s.signal.wait();
    s.abort.abort();
    if (this.streams.get(streamKey(voicing)) === s) this.streams.delete(streamKey(voicing));
    const final = s.final;
    if (cancelled || final === null || !out.started || !keeps(s)) {
      cancel(final ? "replaced" : "withdrawn");
      if (final) await this.run(final);
      else this.firstBytes.get(voicing.turn)?.resolve(null);
      return;
    }
    for (const part of sent) {
      for (const w of part.words) {
        const place = part.map(w);
        if (place) out.words.push({ ...place, start: round3(w.start + part.at), end: round3(w.end + part.at) });
      }
    }
    this.resolveKept(s);
    this.finish(final, out);
  }

  /** A streamed sentence's word, placed in the question's text (null when it cannot be). */
  private mapStreamed(s: Streamed, index: number, w: TimedSpeech["words"][number]): { word: string; from: number; to: number } | null {
    const text = s.final?.text ?? s.target?.text;
    if (!text) return null;
    const span = alignSentences(s.parts.slice(0, index + 1).map((p) => p.text), text)[index];
    if (!span) return null;
    const map = offsetMapper(s.parts[index]!.text, text, span);
    const from = map.start(w.from);
    const to = map.end(w.to);
    if (to <= from) return null;
    return { word: text.slice(from, to), from, to };
  }

  /** The turn's first byte, once it is sure to stay: the message was sent, and says what was voiced. */
  private resolveKept(s: Streamed): void {
    if (s.final && s.out.firstAt !== null && keeps(s)) {
      this.firstBytes.get(s.voicing.turn)?.resolve({ at: s.out.firstAt, textAt: s.out.firstTextAt });
    }
  }

  /** Sends one synthesised sentence (with `audio_out_start` first, for the first), in whole-sample frames. */
  private emit(job: Job, out: Emission, speech: TimedSpeech, place: (w: TimedSpeech["words"][number]) => { word: string; from: number; to: number } | null, textAt: number | null = null): void {
    if (!out.started) {
      out.started = true;
      out.sampleRate = speech.sampleRate;
      this.broadcast(JSON.stringify({ type: "audio_out_start", turn: job.turn, of: job.of, sampleRate: out.sampleRate, format: job.format } satisfies ServerMessage));
      if (job.format === "wav") this.broadcast(streamingWavHeader(out.sampleRate));
    }
    const at = out.samples / out.sampleRate;
    out.lastAt = at;
    for (const w of speech.words) {
      const placed = place(w);
      if (placed) out.words.push({ ...placed, start: round3(w.start + at), end: round3(w.end + at) });
    }
    out.model &&= speech.timing === "model";
    const bytes = speech.bytes;
    const whole = bytes.byteLength - (bytes.byteLength % 2);
    for (let j = 0; j < whole; j += AUDIO_OUT_FRAME_BYTES) {
      if (out.firstAt === null) {
        out.firstAt = Date.now();
        out.firstTextAt = textAt;
        out.onFirstByte?.(out.firstAt);
      }
      this.broadcast(bytes.slice(j, Math.min(whole, j + AUDIO_OUT_FRAME_BYTES)).buffer);
    }
    out.samples += whole / 2;
  }

  /** `audio_out_end` for what `out` sent (when it sent anything), remembered for playback reports. */
  private finish(job: Job, out: Emission): void {
    if (!out.started) return;
    const durationMs = Math.round((out.samples / out.sampleRate) * 1000);
    const words = out.words.sort((a, b) => a.start - b.start);
    this.broadcast(JSON.stringify({ type: "audio_out_end", turn: job.turn, durationMs, words, timing: out.model ? "model" : "estimated" } satisfies ServerMessage));
    this.remember({ sessionId: job.sessionId, turn: job.turn, of: job.of, text: job.text, durationMs, words });
  }

  /** The streamed route (`stream: true` of `/v1/audio/speech`) with spans estimated here: for servers without timings. */
  private async runStreamed1(job: Job): Promise<void> {
    const done = (at: number | null) => this.firstBytes.get(job.turn)?.resolve(at === null ? null : { at, textAt: null });
    const speed = TTS_SPEED_BY_STYLE[job.style] ?? 1;
    const request = { input: job.text, voice: VOICE, speed, format: job.format === "wav" ? ("wav" as const) : ("pcm" as const) };
    let result = await this.host.client(job.sessionId).synthesizeStream(request);
    // Once more on an outage: a restarted worker's stale connection fails at once, and the
    // pool may pick another worker (a breaker that is open answers without a request).
    if (!result.ok && result.failure.status === 503) result = await this.host.client(job.sessionId).synthesizeStream(request);
    if (!result.ok) {
      done(null);
      this.host.unavailable(result.failure.message);
      return;
    }
    const { body, sampleRate } = result.value;
    this.broadcast(JSON.stringify({ type: "audio_out_start", turn: job.turn, of: job.of, sampleRate, format: job.format } satisfies ServerMessage));
    const reader = body.getReader();
    const timer = setTimeout(() => void reader.cancel("timeout").catch(() => undefined), READ_TIMEOUT_MS);
    let bytes = 0;
    let carry: Uint8Array | null = null;
    let failed = false;
    try {
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) break;
        let chunk: Uint8Array = carry ? concat(carry, value) : value;
        carry = null;
        // pcm16 frames hold whole samples: an odd byte waits for the next chunk.
        if (chunk.byteLength % 2 === 1) {
          carry = chunk.subarray(chunk.byteLength - 1);
          chunk = chunk.subarray(0, chunk.byteLength - 1);
        }
        for (let i = 0; i < chunk.byteLength; i += AUDIO_OUT_FRAME_BYTES) {
          if (bytes === 0) done(Date.now());
          const frame = chunk.slice(i, i + AUDIO_OUT_FRAME_BYTES);
          bytes += frame.byteLength;
          this.broadcast(frame.buffer);
        }
      }
    } catch (error) {
      failed = true;
      this.host.unavailable(`The speech worker stopped sending audio (${error instanceof Error ? error.message : String(error)}).`);
    } finally {
      clearTimeout(timer);
      if (bytes === 0) done(null);
    }
    const pcmBytes = Math.max(0, bytes - (job.format === "wav" ? WAV_HEADER_BYTES : 0));
    const durationMs = Math.round((pcmBytes / 2 / sampleRate) * 1000);
    const words = failed ? [] : estimateWordTimings(job.text, durationMs);
    this.broadcast(JSON.stringify({ type: "audio_out_end", turn: job.turn, durationMs, words, timing: "estimated" } satisfies ServerMessage));
    this.remember({ sessionId: job.sessionId, turn: job.turn, of: job.of, text: job.text, durationMs, words });
  }

  private remember(spoken: Spoken): void {
    const all = (this.host.kv.get<Spoken[]>(SPOKEN_KEY) ?? []).filter((s) => s.sessionId === spoken.sessionId);
    this.host.kv.put(SPOKEN_KEY, [...all, spoken].slice(-SPOKEN_KEPT));
  }

  private broadcast(frame: string | ArrayBuffer): void {
    for (const ws of this.host.sockets()) {
      try {
        ws.send(frame);
      } catch {
        // Closed under us: audio is live only.
      }
    }
  }
}

/** What one `audio_out_start` ... `audio_out_end` has sent so far. */
class Emission {
  started = false;
  sampleRate = 0;
  samples = 0;
  /** Seconds into the audio where the latest sentence began. */
  lastAt = 0;
  model = true;
  words: SpokenWord[] = [];
  firstAt: number | null = null;
  firstTextAt: number | null = null;
  /** Called once, when the first byte goes out (a streamed question resolves its own: see `resolveKept`). */
  onFirstByte: ((at: number) => void) | null = null;
}

/** Wakes whoever waits, each time something changed. */
class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function streamKey(v: { sessionId: string; turn: number }): string {
  return `${v.sessionId}:${v.turn}`;
}

/**
 * Whether the audio a streamed question sent may stay: the message is the question the model
 * wrote (the same text), and every sentence sent is in it, in order.
 */
function keeps(s: Streamed): boolean {
  const final = s.final;
  if (!final || final.of !== "question" || !s.target || s.target.text !== final.text) return false;
  return alignSentences(s.parts.slice(0, s.sentParts).map((p) => p.text), final.text).length === s.sentParts;
}
/** A WAV header for pcm16 mono of unknown length (sizes at their maximum), as streamed WAV has. */
function streamingWavHeader(sampleRate: number): ArrayBuffer {
  const buffer = new ArrayBuffer(WAV_HEADER_BYTES);
  const view = new DataView(buffer);
  const ascii = (at: number, text: string) => [...text].forEach((ch, i) => view.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 0xffffffff, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, 0xffffffff, true);
  return buffer;
}

function round3(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
