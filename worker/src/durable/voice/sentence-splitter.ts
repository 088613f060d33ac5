/**
 * Sentences of the interviewer's text, for synthesis one sentence at a time: of a whole
 * message (`splitSentences`), and of a question the model is still writing
 * (`SentenceSplitter`, fed its streamed deltas), each sentence given out as soon as it is
 * known to be complete, so its audio can start while the model writes the next.
 *
 * A sentence ends at `.`, `!`, `?`, `…` or `...` (with any closing quotes or brackets after
 * it) followed by whitespace, or at a line break. Whether a full stop ends a sentence is
 * decided by the first non-space character after it, so a streamed sentence is complete one
 * token after its full stop (models send the space with the next word: " What"):
 * - a lowercase letter next: not an end ("e.g. the", "... and", "vs. the");
 * - no whitespace next: not an end ("3.5", "$1.2M", "U.S.", "e.g.,");
 * - a title or Latin abbreviation before it ("Dr. Smith", "Mr.", "vs.", "e.g. Kafka",
 *   "i.e. X"), a single capital ("J. Smith"), or a list number alone ("1. Tell me"): not an end;
 * - anything else (a capital, a digit, a quote): an end.
 * What is left when the text ends (`finish`) is the last sentence.
 *
 * Offsets index the whole text given so far; a sentence's text is trimmed of surrounding
 * whitespace and `text === whole.slice(from, to)`.
 */

export interface Sentence {
  text: string;
  from: number;
  to: number;
}

const TERMINATORS = new Set([".", "!", "?", "…"]);
const CLOSERS = new Set(['"', "'", "”", "’", "»", ")", "]"]);
/** Abbreviations a full stop follows inside a sentence (compared lowercase, without the final stop). */
const ABBREVIATIONS = new Set(["mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "e.g", "i.e", "cf", "approx"]);

export class SentenceSplitter {
  private whole = "";
  /** Where the sentence under way starts. */
  private start = 0;
  /** Where scanning goes on: before it, nothing ends the sentence under way. */
  private scan = 0;

  /** The text given so far. */
  get text(): string {
    return this.whole;
  }

  /** Adds `delta`; the sentences it completed, in order. */
  push(delta: string): Sentence[] {
    this.whole += delta;
    const out: Sentence[] = [];
    const text = this.whole;
    while (this.scan < text.length) {
      const i = this.scan;
      const ch = text[i]!;
      if (ch === "\n") {
        this.emit(out, i, i + 1);
        continue;
      }
      if (!TERMINATORS.has(ch)) {
        this.scan = i + 1;
        continue;
      }
      let end = i;
      while (end < text.length && TERMINATORS.has(text[end]!)) end++;
      while (end < text.length && CLOSERS.has(text[end]!)) end++;
      // The run may go on in the next delta ("?" then "\""), and what follows decides.
      if (end === text.length) break;
      if (!/\s/u.test(text[end]!)) {
        this.scan = end;
        continue;
      }
      let next = end;
      while (next < text.length && /\s/u.test(text[next]!)) next++;
      if (next === text.length) break;
      if (endsSentence(text, this.start, i, end, text[next]!)) this.emit(out, end, next);
      else this.scan = next;
    }
    return out;
  }

  /** The text ended: what is left is the last sentence (none when it is only whitespace). */
  finish(): Sentence[] {
    const out: Sentence[] = [];
    this.emit(out, this.whole.length, this.whole.length);
    return out;
  }

  /** Ends the sentence under way at `end`; the next starts at `next`. */
  private emit(out: Sentence[], end: number, next: number): void {
    const raw = this.whole.slice(this.start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (text !== "") out.push({ text, from: this.start + lead, to: this.start + lead + text.length });
    this.start = next;
    this.scan = next;
  }
}

/** The sentences of a whole text. */
export function splitSentences(text: string): Sentence[] {
  const splitter = new SentenceSplitter();
  return [...splitter.push(text), ...splitter.finish()];
}

/**
 * Whether the terminators at `at` (run up to `end`, whitespace after it) end the sentence that
 * started at `start`, given the first character after the whitespace.
 */
function endsSentence(text: string, start: number, at: number, end: number, next: string): boolean {
  if (/\p{Ll}/u.test(next)) return false;
  const run = text.slice(at, end);
  // A lone full stop may end an abbreviation, an initial or a list number rather than a sentence.
  if (run.replace(/["'”’»)\]]+$/u, "") !== ".") return true;
  const word = /[\p{L}\p{N}.]*$/u.exec(text.slice(start, at))![0];
  if (ABBREVIATIONS.has(word.toLowerCase())) return false;
  if (/^\p{Lu}$/u.test(word)) return false;
  if (/^\d{1,2}$/.test(word) && text.slice(start, at).trim() === word) return false;
  return true;
}

export interface Span {
  from: number;
  to: number;
}

interface Token extends Span {
  norm: string;
}

function tokens(text: string, from = 0, to = text.length): Token[] {
  const out: Token[] = [];
  for (const match of text.slice(from, to).matchAll(/[\p{L}\p{N}]+/gu)) {
    out.push({ from: from + match.index, to: from + match.index + match[0].length, norm: match[0].toLowerCase() });
  }
  return out;
}

/**
 * Where the streamed sentences are in the text the message finally has, in order, for as
 * long as they match: the same words (letters and digits, any case) in the same order, with
 * anything else between them free to differ (whitespace, punctuation, markdown, the final
 * "?" the cleaning adds). One span per matched sentence, from its first word to the end of
 * its last word's whitespace-free run (so "part." and "part?" both end after the mark);
 * shorter than `sentences` from the first that does not match.
 */
export function alignSentences(sentences: readonly string[], final: string): Span[] {
  const words = tokens(final);
  const spans: Span[] = [];
  let at = 0;
  let cursor = 0;
  for (const sentence of sentences) {
    const own = tokens(sentence);
    if (own.length === 0) return spans;
    if (at + own.length > words.length) return spans;
    for (let k = 0; k < own.length; k++) if (own[k]!.norm !== words[at + k]!.norm) return spans;
    const first = words[at]!;
    const last = words[at + own.length - 1]!;
    let from = first.from;
    while (from > cursor && !/\s/u.test(final[from - 1]!)) from--;
    let to = last.to;
    const nextWord = words[at + own.length]?.from ?? final.length;
    while (to < nextWord && !/\s/u.test(final[to]!)) to++;
    spans.push({ from, to });
    at += own.length;
    cursor = to;
  }
  return spans;
}

/**
 * Maps character offsets in `sentence` to the text it was matched to (`final.slice(span.from,
 * span.to)`, same words by `alignSentences`): an offset in a word keeps its place in that
 * word; one outside the words keeps its distance from the next word (a start) or the
 * previous one (an end), within the span and without crossing a word.
 */
export function offsetMapper(sentence: string, final: string, span: Span): { start(offset: number): number; end(offset: number): number } {
  const own = tokens(sentence);
  const theirs = tokens(final, span.from, span.to);
  const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
  const inWord = (offset: number): number | null => {
    for (let k = 0; k < own.length && k < theirs.length; k++) {
      if (offset >= own[k]!.from && offset <= own[k]!.to) return clamp(theirs[k]!.from + (offset - own[k]!.from), theirs[k]!.from, theirs[k]!.to);
    }
    return null;
  };
  return {
    start(offset) {
      const hit = inWord(offset);
      if (hit !== null) return hit;
      const k = own.findIndex((t) => t.from > offset);
      if (k < 0 || k >= theirs.length) return span.to;
      const low = k === 0 ? span.from : theirs[k - 1]!.to;
      return clamp(theirs[k]!.from - (own[k]!.from - offset), low, theirs[k]!.from);
    },
    end(offset) {
      const hit = inWord(offset);
      if (hit !== null) return hit;
      let k = -1;
      for (let j = 0; j < own.length; j++) if (own[j]!.to < offset) k = j;
      if (k < 0 || k >= theirs.length) return span.from;
      const high = k + 1 < theirs.length ? theirs[k + 1]!.from : span.to;
      return clamp(theirs[k]!.to + (offset - own[k]!.to), theirs[k]!.to, high);
    },
  };
}
