/**
 * The interviewer's voice: pcm16 chunks (between `audio_out_start` and `audio_out_end`) played
 * in order as they arrive, with captions that mark each word while it is spoken (the words'
 * times and their place in the text come with `audio_out_end`).
 */
import type { SpokenWord } from "@interview/shared/voice";
import { h } from "../../common/dom.ts";

export class InterviewerVoice {
  private context: AudioContext | null = null;
  private sources: AudioBufferSourceNode[] = [];
  private startedAt = 0;
  private nextAt = 0;
  private sampleRate = 24_000;
  private turn = -1;
  private spoken: { word: SpokenWord; node: HTMLElement }[] = [];
  private frame = 0;
  private finished: (() => void) | null = null;

  constructor(
    private readonly caption: HTMLElement,
    /** Tells the server how much was heard: when the audio ends, or when it is interrupted. */
    private readonly onPlayed: (turn: number, playedMs: number) => void,
  ) {}

  get playing(): boolean {
    return this.sources.length > 0;
  }

  /** Called from a click: browsers let an audio context start only after a user gesture. */
  prepare(): void {
    this.context ??= new AudioContext();
    void this.context.resume();
  }

  begin(turn: number, sampleRate: number, text: string): void {
    // The previous audio still playing is cut short: the server hears how much was played.
    this.interrupt();
    this.stop(false);
    this.context ??= new AudioContext();
    void this.context.resume();
    this.turn = turn;
    this.sampleRate = sampleRate;
    this.startedAt = this.context.currentTime + 0.05;
    this.nextAt = this.startedAt;
    this.spoken = [];
    this.caption.textContent = text;
    this.caption.hidden = false;
  }

  push(chunk: ArrayBuffer): void {
    const context = this.context;
    if (!context || chunk.byteLength < 2) return;
    const samples = new Int16Array(chunk, 0, Math.floor(chunk.byteLength / 2));
    const buffer = context.createBuffer(1, samples.length, this.sampleRate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = samples[i]! / 0x8000;
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    const at = Math.max(this.nextAt, context.currentTime);
    source.start(at);
    this.nextAt = at + buffer.duration;
    this.sources.push(source);
    source.onended = () => {
      this.sources = this.sources.filter((s) => s !== source);
      if (this.sources.length === 0) this.finished?.();
    };
  }

  /** The whole audio is sent: mark words as they are spoken, report when it has played. */
  end(text: string, words: SpokenWord[], durationMs: number): void {
    const nodes: Node[] = [];
    let at = 0;
    this.spoken = [];
    for (const word of words) {
      if (word.from < at || word.to > text.length) continue;
      nodes.push(document.createTextNode(text.slice(at, word.from)));
      const node = h("span", { class: "spoken" }, text.slice(word.from, word.to));
      this.spoken.push({ word, node });
      nodes.push(node);
      at = word.to;
    }
    nodes.push(document.createTextNode(text.slice(at)));
    this.caption.replaceChildren(...nodes);
    const turn = this.turn;
    this.finished = () => {
      this.finished = null;
      cancelAnimationFrame(this.frame);
      this.onPlayed(turn, durationMs);
    };
    if (this.sources.length === 0) this.finished();
    else this.highlight();
  }

  /**
   * The question's text as the model writes it (`interviewer_delta`), shown as the caption of
   * its audio until `audio_out_end` brings the words' times (stream: true starts the audio first).
   */
  preview(turn: number, text: string): void {
    if (turn === this.turn && this.spoken.length === 0 && !this.caption.hidden) this.caption.textContent = text;
  }

  /** The server withdrew the audio sent (`audio_out_cancel`): stop it; nothing was heard that counts. */
  cancel(): void {
    this.stop(false);
  }

  /** Stops the audio (the candidate started speaking); reports how much was heard. */
  interrupt(): void {
    if (this.sources.length === 0) return;
    const playedMs = Math.max(0, Math.round(((this.context?.currentTime ?? 0) - this.startedAt) * 1000));
    this.stop(true);
    this.onPlayed(this.turn, playedMs);
  }

  private stop(keepCaption: boolean): void {
    this.finished = null;
    cancelAnimationFrame(this.frame);
    for (const source of this.sources) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        // Not started yet.
      }
    }
    this.sources = [];
    if (!keepCaption) this.caption.replaceChildren();
  }

  private highlight(): void {
    const now = (this.context?.currentTime ?? 0) - this.startedAt;
    for (const { word, node } of this.spoken) node.classList.toggle("now", now >= word.start && now < word.end);
    this.frame = requestAnimationFrame(() => this.highlight());
  }
}
