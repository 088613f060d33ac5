/**
 * Words and sentences of an answer with their offsets into the original text, so every
 * finding can point back at the characters it came from. Matching is on lower-cased words
 * with typographic apostrophes folded (as in engine/text.ts), offsets are the original's.
 */
import type { Found, Span } from "./types.ts";

export interface Token extends Span {
  /** Lower-cased, apostrophes folded to `'`. */
  word: string;
  /** As written. */
  raw: string;
}

const WORD = /[\p{L}\p{N}]+(?:['\u2018\u2019\u02bc][\p{L}\p{N}]+)*(?:\.\d+)?/gu;

const CURLY = /[\u2018\u2019\u02bc]/u;
const CURLY_ALL = /[\u2018\u2019\u02bc]/gu;

/**
 * The last text's words: one answer is tokenised by the analysis and again by the tips, so
 * the second call reuses the first's (read-only) result.
 */
let last: { text: string; words: readonly Token[] } | null = null;

export function tokens(text: string): readonly Token[] {
  if (last?.text === text) return last.words;
  const out: Token[] = [];
  // Lower-cased once for the whole text, unless lowering changes the length (a few
  // non-English letters) or depends on the neighbours (Greek final sigma): then per word.
  const lower = text.toLowerCase();
  const sameLength = lower.length === text.length && !text.includes("\u03a3");
  for (const m of text.matchAll(WORD)) {
    const raw = m[0];
    const from = m.index;
    let word = sameLength ? lower.slice(from, from + raw.length) : raw.toLowerCase();
    if (CURLY.test(word)) word = word.replace(CURLY_ALL, "'");
    out.push({ raw, word, from, to: from + raw.length });
  }
  last = { text, words: out };
  return out;
}

export interface Sentence extends Span {
  tokens: readonly Token[];
}

/**
 * Sentences, cut after . ! ? ; … or a line break when the next character is a space or the
 * end (so "0.84" and "e.g" stay whole); spans are trimmed to their first and last word.
 */
export function sentences(text: string, all: readonly Token[] = tokens(text)): Sentence[] {
  const out: Sentence[] = [];
  let current: Token[] = [];
  const boundaries: number[] = [];
  for (const m of text.matchAll(/[.!?;…]+(?=\s|$)|\n+/gu)) boundaries.push(m.index);
  let b = 0;
  for (const token of all) {
    while (b < boundaries.length && boundaries[b]! < token.from) {
      if (current.length > 0) out.push(sentenceOf(current));
      current = [];
      b += 1;
    }
    current.push(token);
  }
  if (current.length > 0) out.push(sentenceOf(current));
  return out;
}

function sentenceOf(ts: Token[]): Sentence {
  return { from: ts[0]!.from, to: ts[ts.length - 1]!.to, tokens: ts };
}

/** The words `ts[i..j]` (inclusive) as a finding quoting the original text. */
export function foundOf(text: string, ts: readonly Token[], i: number, j: number): Found {
  const from = ts[i]!.from;
  const to = ts[j]!.to;
  return { from, to, text: text.slice(from, to) };
}


/** Phrases written as strings, split into words once. */
export function phraseList(phrases: readonly string[]): string[][] {
  return phrases.map((p) => p.toLowerCase().split(/\s+/u)).sort((a, b) => b.length - a.length);
}

/** Phrases by their first word, longest first: one pass over the words finds them all. */
const byFirstWord = new WeakMap<readonly string[][], Map<string, string[][]>>();

function indexOf(phrases: readonly string[][]): Map<string, string[][]> {
  let index = byFirstWord.get(phrases);
  if (!index) {
    index = new Map();
    for (const phrase of [...phrases].sort((a, b) => b.length - a.length)) {
      const list = index.get(phrase[0]!) ?? [];
      list.push(phrase);
      index.set(phrase[0]!, list);
    }
    byFirstWord.set(phrases, index);
  }
  return index;
}

/**
 * Token index ranges of the listed phrases, left to right without overlaps, the longest
 * phrase winning where several start at the same word.
 */
export function phraseRanges(ts: readonly Token[], phrases: readonly string[][]): [number, number][] {
  const index = indexOf(phrases);
  const out: [number, number][] = [];
  for (let i = 0; i < ts.length; ) {
    const hit = index.get(ts[i]!.word)?.find((phrase) => phrase.every((w, k) => ts[i + k]?.word === w));
    if (hit) {
      out.push([i, i + hit.length - 1]);
      i += hit.length;
    } else i += 1;
  }
  return out;
}

/** Finds every listed phrase without overlaps, as findings quoting the text. */
export function findPhrases(text: string, ts: readonly Token[], phrases: readonly string[][]): Found[] {
  return phraseRanges(ts, phrases).map(([i, j]) => foundOf(text, ts, i, j));
}

/** A crude English stem for matching question and answer words ("disagreed" ~ "disagree"). */
export function stem(word: string): string {
  let w = stems.get(word);
  if (w === undefined) {
    if (stems.size >= STEMS_KEPT) stems.clear();
    w = stemOf(word);
    stems.set(word, w);
  }
  return w;
}

/** Every answer word is stemmed for relevance; an interview's vocabulary is small, so stems are kept (bounded). */
const stems = new Map<string, string>();
const STEMS_KEPT = 20_000;

function stemOf(word: string): string {
  let w = word.replace(/'s$/u, "");
  for (const suffix of ["ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s", "e"]) {
    if (w.length - suffix.length >= 4 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  return w;
}
