/**
 * What the coach finds in one answer. Every observation carries its evidence: a span of
 * character offsets into the answer text exactly as received (`answer.slice(from, to)` is the
 * quoted text), so a client can highlight it and a test can check it.
 */

/** Half-open range of UTF-16 offsets into the answer: `answer.slice(from, to)`. */
export interface Span {
  from: number;
  to: number;
}

export type StarPart = "situation" | "task" | "action" | "result";
export const STAR_PARTS: readonly StarPart[] = ["situation", "task", "action", "result"];

export interface StarPartFinding {
  present: boolean;
  evidence: Span[];
}

export type StarCoverage = Record<StarPart, StarPartFinding>;

/** A matched phrase and where it is. */
export interface Found extends Span {
  text: string;
}

export interface Specificity {
  /** Numbers, with their unit when one follows ("900 ms", "30 percent", "two weeks"). */
  numbers: Found[];
  /** Named systems, tools, products and people's roles ("Redis", "Playwright", "product manager"). */
  names: Found[];
  /** Time frames ("last year", "in 2022", "within two months"). */
  timeFrames: Found[];
}

export interface Ownership {
  /** First-person singular actions ("I profiled", "I'd shard"). */
  singular: Found[];
  /** First-person plural actions ("we shipped"). */
  plural: Found[];
}

export interface RepeatedPhrase {
  phrase: string;
  spans: Span[];
}

export interface Relevance {
  /** Share of the question's key words the answer takes up, 0..1 (2 decimals). */
  score: number;
  /** The question's key words, as the question spells them. */
  keywords: string[];
  /** The answer's words that tie it to the question, with where they are. */
  tied: Found[];
}

export interface ContentAnalysis {
  words: number;
  star: StarCoverage;
  specificity: Specificity;
  ownership: Ownership;
  hedges: Found[];
  repeats: RepeatedPhrase[];
  relevance: Relevance;
}

/** One word of a spoken answer with its time in seconds from the start of the recording. */
export interface TimedWord {
  word: string;
  start: number;
  end: number;
}

export interface PaceWindow {
  /** Seconds from the recording's start. */
  start: number;
  end: number;
  words: number;
  wpm: number;
}

export interface DeliveryAnalysis {
  words: number;
  /** Seconds from the first word's start to the last word's end. */
  spokenSeconds: number;
  /** Words per minute over the spoken span. */
  wpm: number;
  /** Words per minute with every silence over `longPauseSeconds` taken out. */
  wpmExcludingPauses: number;
  band: "slow" | "conversational" | "fast";
  /** The band limits used, words per minute (on `wpmExcludingPauses`). */
  bands: { slowBelow: number; fastAbove: number };
  longPauseSeconds: number;
  fillersPer100Words: number;
  fillers: { text: string; at: number }[];
  /** The longest silence between two words, or null with fewer than two words. */
  longestPause: { at: number; seconds: number } | null;
  pace: PaceWindow[];
}
