/**
 * A question voiced while the model writes it (`stream: true` with `audio.output`): each
 * sentence of its streamed text is synthesised as soon as it is complete and its audio sent, in
 * order, before the `question` message exists; what the model had not finished when its call
 * ended is synthesised from the question it wrote. The text the `question` message finally
 * carries decides what that audio was: when it says what was voiced (the same words in the
 * same order; whitespace and punctuation may differ, e.g. the "?" the cleaning adds),
 * `audio_out_end` closes it with word spans into that final text. When it does not (the model's
 * reply was unusable and the heuristics wrote the question, the words differ, or the session
 * ended instead), audio already sent is withdrawn with `audio_out_cancel` as soon as that is
 * known, and the final message is voiced from the start in its own `audio_out_start` ...
 * `audio_out_end`; when no message follows at all, it is withdrawn too.
 */
import { TTS_SPEED_BY_STYLE, type ServerMessage } from "@interview/shared";
import type { SpeechClient, SpeechResult, TimedSpeech } from "../../clients/speech-client.ts";
import { Emission, round3, VOICE, type FirstByte, type Job, type Placed, type SpeechWord, type Voicing } from "./audio-out.ts";
import { alignSentences, offsetMapper, SentenceSplitter, splitSentences } from "./sentence-splitter.ts";

/** What the model's hooks tell a question voiced while it is written. */
export interface QuestionStream {
  /** Text of the question as the model writes it (what `interviewer_delta` shows). */
  push(delta: string): void;
  /** The model's question call ended: the question it wrote, or null when it was unusable. */
  done(question: string | null): void;
  /** The turn's consult is over and its messages were sent: a stream no message took is withdrawn. */
  settle(): void;
}

/** What the interviewer's voice lends a streamed question (interviewer-voice.ts). */
export interface StreamedQuestionHost {
  client(sessionId: string): SpeechClient;
  /** The speech worker failed: tell the client (`speech_unavailable`). */
  unavailable(reason: string): void;
  broadcast(frame: string): void;
  /** Sends one synthesised sentence (with `audio_out_start` first, for the first). */
  emit(job: Job, out: Emission, speech: TimedSpeech, place: (w: SpeechWord) => Placed, textAt: number | null): void;
  /** `audio_out_end` for what `out` sent, remembered for playback reports. */
  finish(job: Job, out: Emission): void;
  /** Voices a message from the start, as any other. */
  voice(job: Job): Promise<void>;
  /** The turn's first audio byte, once it is sure to stay (null: none). */
  firstByte(value: FirstByte | null): void;
  /** This stream is over: the message of its turn is no longer its. */
  ended(): void;
}

/** A synthesised word and where it goes in the message text. */
interface SentWords {
  words: TimedSpeech["words"];
  /** Seconds into the message's audio where its sentence began. */
  at: number;
  place: (w: SpeechWord) => Placed;
}

export class StreamedQuestion implements QuestionStream {
  private readonly splitter = new SentenceSplitter();
  /** Sentences of the streamed text whose synthesis was asked for, in order. */
  private readonly parts: { text: string; completedAt: number; result: Promise<SpeechResult<TimedSpeech>> }[] = [];
  /** What the question will say: undefined while the model writes, null when its reply was unusable. */
  private target: { text: string; at: number } | null | undefined = undefined;
  /** The message that voices this turn, once sent. */
  private final: Job | null = null;
  private settled = false;
  private readonly abort = new AbortController();
  private readonly changed = new Signal();
  private readonly out = new Emission();
  /** How many of `parts` were sent. */
  private sentParts = 0;
  private readonly speed: number;
  private readonly client: SpeechClient;

  constructor(
    readonly voicing: Voicing,
    private readonly host: StreamedQuestionHost,
  ) {
    this.speed = TTS_SPEED_BY_STYLE[voicing.style] ?? 1;
    this.client = host.client(voicing.sessionId);
  }

  push(delta: string): void {
    if (this.target !== undefined || this.settled) return;
    for (const sentence of this.splitter.push(delta)) {
      this.parts.push({ text: sentence.text, completedAt: Date.now(), result: this.synthesize(sentence.text) });
    }
    this.changed.notify();
  }

  done(question: string | null): void {
    if (this.target !== undefined) return;
    this.target = question === null ? null : { text: question, at: Date.now() };
    this.changed.notify();
  }

  settle(): void {
    this.settled = true;
    if (this.target === undefined) this.target = null;
    this.changed.notify();
  }

  /** The message that voices this turn: true when this stream takes it (its runner voices it). */
  take(job: Job): boolean {
    if (this.final || this.settled) return false;
    this.final = job;
    if (this.target === undefined) this.target = { text: job.text, at: Date.now() };
    this.resolveKept();
    this.changed.notify();
    return true;
  }

  /**
   * The runner, in the voice's chain: the streamed sentences in order while they still match
   * what the question will say, then the rest of it, then, once the message is sent,
   * `audio_out_end` when it says what was voiced, or `audio_out_cancel` and the message voiced
   * anew when it does not.
   */
  async run(): Promise<void> {
    const { voicing, out } = this;
    const speaking: Job = { ...voicing, of: "question", text: "" };
    const sent: SentWords[] = [];
    let failed = false;
    // The streamed sentences.
    for (;;) {
      if (this.sentParts < this.parts.length && this.sentParts < this.limit()) {
        const index = this.sentParts;
        const part = this.parts[index]!;
        const result = await part.result;
        if (index >= this.limit()) continue;
        if (!result.ok) {
          // Nothing sent yet: the message is voiced as any other (the untimed route included).
          if (out.started) this.host.unavailable(result.failure.message);
          failed = true;
          break;
        }
        this.host.emit(speaking, out, result.value, () => null, part.completedAt);
        sent.push({ words: result.value.words, at: out.lastAt, place: (w) => this.placeStreamed(index, w) });
        this.sentParts++;
        this.resolveKept();
        continue;
      }
      if (this.target !== undefined) break;
      await this.changed.wait();
    }
    let cancelled = false;
    const cancel = (reason: "replaced" | "withdrawn") => {
      if (!out.started || cancelled) return;
      cancelled = true;
      this.host.broadcast(JSON.stringify({ type: "audio_out_cancel", turn: voicing.turn, reason } satisfies ServerMessage));
    };
    // What was sent is not what the model's question says (its reply was unusable, or it says
    // other words): withdrawn now, not when the message is sent.
    const target = this.target;
    const spans = target ? alignSentences(this.sentTexts(), target.text) : [];
    if (target === null || spans.length < this.sentParts) cancel("replaced");
    // The rest of the question, from the text the model wrote.
    if (target && !failed && !cancelled) {
      const restFrom = this.sentParts > 0 ? spans[this.sentParts - 1]!.to : 0;
      const rest = splitSentences(target.text.slice(restFrom)).map((x) => ({ text: x.text, from: x.from + restFrom }));
      // The next sentence is synthesised while one is sent.
      let next = rest.length > 0 ? this.synthesize(rest[0]!.text) : null;
      for (let i = 0; next; i++) {
        const result = await next;
        if (!result.ok) {
          if (out.started) this.host.unavailable(result.failure.message);
          failed = true;
          break;
        }
        next = i + 1 < rest.length ? this.synthesize(rest[i + 1]!.text) : null;
        const { from } = rest[i]!;
        this.host.emit(speaking, out, result.value, () => null, target.at);
        sent.push({ words: result.value.words, at: out.lastAt, place: (w) => ({ word: w.word, from: w.from + from, to: w.to + from }) });
        this.resolveKept();
      }
    }
    // The message decides.
    while (!this.final && !this.settled) await this.changed.wait();
    this.abort.abort();
    this.host.ended();
    const final = this.final;
    if (cancelled || final === null || !out.started || !this.keeps()) {
      cancel(final ? "replaced" : "withdrawn");
      if (final) await this.host.voice(final);
      else this.host.firstByte(null);
      return;
    }
    for (const part of sent) {
      for (const w of part.words) {
        const place = part.place(w);
        if (place) out.words.push({ ...place, start: round3(w.start + part.at), end: round3(w.end + part.at) });
      }
    }
    this.resolveKept();
    this.host.finish(final, out);
  }

  private synthesize(input: string): Promise<SpeechResult<TimedSpeech>> {
    return this.client.synthesizeWithTimestamps({ input, voice: VOICE, speed: this.speed, format: "pcm" }, this.abort.signal);
  }

  private sentTexts(): string[] {
    return this.parts.slice(0, this.sentParts).map((p) => p.text);
  }

  /** How many streamed sentences may be sent: all while the model writes, then those the question says. */
  private limit(): number {
    if (this.target === undefined) return Infinity;
    if (this.target === null) return 0;
    return alignSentences(
      this.parts.map((p) => p.text),
      this.target.text,
    ).length;
  }

  /**
   * Whether the audio sent may stay: the message is the question the model wrote (the same
   * text), and every sentence sent is in it, in order.
   */
  private keeps(): boolean {
    const final = this.final;
    if (!final || final.of !== "question" || !this.target || this.target.text !== final.text) return false;
    return alignSentences(this.sentTexts(), final.text).length === this.sentParts;
  }

  /** The turn's first byte, once it is sure to stay: the message was sent, and says what was voiced. */
  private resolveKept(): void {
    if (this.final && this.out.firstAt !== null && this.keeps()) this.host.firstByte({ at: this.out.firstAt, textAt: this.out.firstTextAt });
  }

  /** A streamed sentence's word, placed in the question's text (null when it cannot be). */
  private placeStreamed(index: number, w: SpeechWord): Placed {
    const text = this.final?.text ?? this.target?.text;
    if (!text) return null;
    const span = alignSentences(
      this.parts.slice(0, index + 1).map((p) => p.text),
      text,
    )[index];
    if (!span) return null;
    const map = offsetMapper(this.parts[index]!.text, text, span);
    const from = map.start(w.from);
    const to = map.end(w.to);
    if (to <= from) return null;
    return { word: text.slice(from, to), from, to };
  }
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
