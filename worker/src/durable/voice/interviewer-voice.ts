/**
 * The interviewer's audio on the interview socket (`start_session.audio.output`): each
 * question, follow-up, clarification and closing message is synthesised by a speech worker
 * (streamed, one sentence at a time) and sent as `audio_out_start`, binary frames,
 * `audio_out_end` with the words' times and their places in the message text.
 *
 * Jobs run one after another in the order the messages were sent, outside the interview's
 * frame queue, so synthesis never holds up a turn. Audio is live only: none of these frames is
 * numbered or kept for replay (the text message each voices is); a resumed client asks
 * `/tts` for a question it missed. What was voiced is remembered (the last few, in storage)
 * so a `playback` report can say what the candidate actually heard.
 */
import { TTS_SPEED_BY_STYLE, type AudioOptions, type ServerMessage, type SpokenKind, type SpokenWord, type Style } from "@interview/shared";
import type { SpeechClient } from "../../clients/speech-client.ts";
import { estimateWordTimings } from "./word-spans.ts";

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

interface Job {
  sessionId: string;
  turn: number;
  of: SpokenKind;
  text: string;
  style: Style;
  format: NonNullable<AudioOptions["output"]>;
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
  private readonly firstBytes = new Map<number, { at: Promise<number | null>; resolve: (at: number | null) => void }>();

  constructor(private readonly host: VoiceOutHost) {}

  speak(job: Job): void {
    this.firstByte(job.turn);
    this.chain = this.chain.then(() => this.run(job)).catch((error) => console.error("Interviewer audio failed", error));
  }

  /** Resolves with when the first audio byte of `turn`'s message was sent, or null when none will be. */
  firstByte(turn: number): Promise<number | null> {
    let entry = this.firstBytes.get(turn);
    if (!entry) {
      let resolve!: (at: number | null) => void;
      const at = new Promise<number | null>((r) => (resolve = r));
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

  private async run(job: Job): Promise<void> {
    if (await this.runTimed(job)) return;
    await this.runStreamed(job);
  }

  /**
   * The speech worker's own word timings (`/v1/audio/speech/with-timestamps`), one request
   * per sentence so the first sentence plays while the next is synthesised. False when the
   * first sentence cannot be had that way (a server without the route, or down): the
   * streamed route with estimated spans takes over.
   */
  private async runTimed(job: Job): Promise<boolean> {
    const done = (at: number | null) => this.firstBytes.get(job.turn)?.resolve(at);
    const speed = TTS_SPEED_BY_STYLE[job.style] ?? 1;
    const client = this.host.client(job.sessionId);
    const sentences = sentenceSpans(job.text);
    const request = (i: number) => client.synthesizeWithTimestamps({ input: sentences[i]!.text, voice: VOICE, speed, format: "pcm" });
    let next = sentences.length > 0 ? request(0) : null;
    let sampleRate = 0;
    let samples = 0;
    let model = true;
    const words: SpokenWord[] = [];
    for (let i = 0; next; i++) {
      const result = await next;
      if (!result.ok) {
        if (i === 0) return false;
        this.host.unavailable(result.failure.message);
        break;
      }
      // The next sentence is synthesised while this one is sent.
      next = i + 1 < sentences.length ? request(i + 1) : null;
      const { bytes, timing } = result.value;
      if (i === 0) {
        sampleRate = result.value.sampleRate;
        this.broadcast(JSON.stringify({ type: "audio_out_start", turn: job.turn, of: job.of, sampleRate, format: job.format } satisfies ServerMessage));
        if (job.format === "wav") this.broadcast(streamingWavHeader(sampleRate));
      }
      const offset = sentences[i]!.from;
      const at = samples / sampleRate;
      for (const w of result.value.words) words.push({ word: w.word, start: round3(w.start + at), end: round3(w.end + at), from: w.from + offset, to: w.to + offset });
      model &&= timing === "model";
      const whole = bytes.byteLength - (bytes.byteLength % 2);
      for (let j = 0; j < whole; j += AUDIO_OUT_FRAME_BYTES) {
        if (samples === 0 && j === 0) done(Date.now());
        this.broadcast(bytes.slice(j, Math.min(whole, j + AUDIO_OUT_FRAME_BYTES)).buffer);
      }
      samples += whole / 2;
    }
    if (samples === 0) done(null);
    const durationMs = Math.round((samples / sampleRate) * 1000);
    this.broadcast(JSON.stringify({ type: "audio_out_end", turn: job.turn, durationMs, words, timing: model ? "model" : "estimated" } satisfies ServerMessage));
    this.remember({ sessionId: job.sessionId, turn: job.turn, of: job.of, text: job.text, durationMs, words });
    return true;
  }

  private async runStreamed(job: Job): Promise<void> {
    const done = (at: number | null) => this.firstBytes.get(job.turn)?.resolve(at);
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

/** The text's sentences with where each starts in it (as the speech worker splits them). */
export function sentenceSpans(text: string): { text: string; from: number }[] {
  const spans: { text: string; from: number }[] = [];
  for (const match of text.matchAll(/[^.!?…]+(?:[.!?…]+["”»)]*|$)/g)) {
    const lead = match[0].length - match[0].trimStart().length;
    const sentence = match[0].trim();
    if (sentence) spans.push({ text: sentence, from: match.index + lead });
  }
  return spans;
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
