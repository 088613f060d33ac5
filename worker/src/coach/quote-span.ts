/**
 * Where a model's quote lies in the answer, or null when it does not occur there: the rubric's
 * evidence must be the candidate's own words (README, Coaching: "a quoted span that does not
 * occur in the answer is discarded, never shown"). Pure.
 *
 * The match forgives only what a faithful quote may change: letter case, runs of white space,
 * curly quotes and dashes, and the quotation marks or "..." the model wraps a quote in. Words
 * must all be there, in order, contiguous: a paraphrase is not a quote.
 */
import type { Span } from "./types.ts";

/** A quote needs this many letters or digits: "I" or "we" occurs in any answer. */
const MIN_QUOTE_CHARS = 4;

const FOLD: Readonly<Record<string, string>> = { "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-" };

/** The answer folded for matching, with each folded character's offset in the original. */
function fold(text: string): { folded: string; at: number[] } {
  let folded = "";
  const at: number[] = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      space = folded.length > 0;
      continue;
    }
    if (space) {
      folded += " ";
      at.push(i);
      space = false;
    }
    folded += (FOLD[ch] ?? ch).toLowerCase();
    at.push(i);
  }
  return { folded, at };
}

/** The quote without the wrapping a model adds: quotation marks, ellipses, trailing punctuation. */
export function trimQuote(quote: string): string {
  return quote
    .trim()
    .replace(/^(?:["'\u201c\u201d\u2018\u2019`]|\.\.\.|\u2026)+/, "")
    .replace(/(?:["'\u201c\u201d\u2018\u2019`]|\.\.\.|\u2026)+$/, "")
    .trim();
}

/** The span of `quote` in `answer` (first occurrence), or null. */
export function quoteSpan(answer: string, quote: string): Span | null {
  const wanted = fold(trimQuote(quote)).folded.replace(/[.,;:!?]+$/, "");
  if ((wanted.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < MIN_QUOTE_CHARS) return null;
  const { folded, at } = fold(answer);
  const index = folded.indexOf(wanted);
  if (index < 0) return null;
  return { from: at[index]!, to: at[index + wanted.length - 1]! + 1 };
}
