/**
 * The interviewer's audio on the interview socket (`start_session.audio.output`): each
 * question, follow-up, clarification and closing message is synthesised by a speech worker
 * (one sentence at a time) and sent as `audio_out_start`, binary frames, `audio_out_end` with
 * the words' times and their places in the message text.
 *
 * With `stream: true` a question the model writes is voiced while it is written
 * (`streamQuestion`, streamed-question.ts): its audio can start before its `question` message.
 *
 * Jobs run one after another in the order the messages were sent, outside the interview's
 * frame queue, so synthesis never holds up a turn. Audio is live only: none of these frames is
 * numbered or kept for replay (the text message each voices is); a resumed client asks
 * `/tts` for a question it missed. What was voiced is remembered (the last few, in storage)
 * so a `playback` report can say what the candidate actually heard.
 */
import { TTS_SPEED_BY_STYLE, type ServerMessage, type SpokenKind, type SpokenWord } from "@interview/shared";
import type { SpeechClient, TimedSpeech } from "../../clients/speech-client.ts";
import { estimateWordTimings } from "./word-spans.ts";
import { splitSentences } from "./sentence-splitter.ts";
import { Emission, round3, VOICE, type FirstByte, type Job, type Placed, type SpeechWord, type Voicing } from "./audio-out.ts";
import { StreamedQuestion, type QuestionStream } from "./streamed-question.ts";

export type { FirstByte } from "./audio-out.ts";
export type { QuestionStream } from "./streamed-question.ts";

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
  private readonly streams = new Map<string, StreamedQuestion>();

  constructor(private readonly host: VoiceOutHost) {}

  speak(job: Job): void {
    // The message a streamed question becomes: its runner, already in the chain, voices it.
    if (this.streams.get(streamKey(job))?.take(job)) return;
    this.firstByte(job.turn);
    this.enqueue(() => this.run(job));
  }

  /**
   * Voices the question of `voicing.turn` while the model writes it. Its place in the order of
   * audio is now (the consult starts), before any message it becomes.
   */
  streamQuestion(voicing: Voicing): QuestionStream {
    const key = streamKey(voicing);
    this.streams.get(key)?.settle();
    const resolve = (value: FirstByte | null) => this.firstBytes.get(voicing.turn)?.resolve(value);
    const stream: StreamedQuestion = new StreamedQuestion(voicing, {
      client: (sessionId) => this.host.client(sessionId),
      unavailable: (reason) => this.host.unavailable(reason),
      broadcast: (frame) => this.broadcast(frame),
      emit: (job, out, speech, place, textAt) => this.emit(job, out, speech, place, textAt),
      finish: (job, out) => this.finish(job, out),
      voice: (job) => this.run(job),
      firstByte: resolve,
      ended: () => {
        if (this.streams.get(key) === stream) this.streams.delete(key);
      },
    });
    this.streams.set(key, stream);
    this.firstByte(voicing.turn);
    this.enqueue(() => stream.run());
    return stream;
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
    await this.runUntimed(job);
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

  /** Sends one synthesised sentence (with `audio_out_start` first, for the first), in whole-sample frames. */
  private emit(job: Job, out: Emission, speech: TimedSpeech, place: (w: SpeechWord) => Placed, textAt: number | null = null): void {
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
  private async runUntimed(job: Job): Promise<void> {
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

function streamKey(v: { sessionId: string; turn: number }): string {
  return `${v.sessionId}:${v.turn}`;
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
