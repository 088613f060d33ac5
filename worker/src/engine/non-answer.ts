/**
 * Recognises "I don't know"-style replies (docs/seed-behaviour.md §4.5), so the engine can answer
 * them with a gentler follow-up, fixed tips and a "move on" preface instead of coaching a
 * non-existent answer.
 *
 * Amended by docs/decisions.md: a reply must both match a non-answer pattern and be short
 * (≤ NON_ANSWER_MAX_WORDS words). The seed also accepted anything ≤ 140 characters, which
 * turned short real answers that merely said "not sure" or "skip" into non-answers.
 */
import { NON_ANSWER_MAX_WORDS } from "@interview/shared";
import { foldApostrophes } from "./text.ts";

const EXACT_NON_ANSWERS: ReadonlySet<string> = new Set([
  "idk",
  "i don't know",
  "i do not know",
  "dont know",
  "don't know",
  "no idea",
  "no clue",
  "not sure",
  "unsure",
  "pass",
  "skip",
  "i can't answer",
  "i cannot answer",
]);

/** One regex per family of §4.5, in the seed's order; "can not" is accepted beside "cannot". */
const NON_ANSWER_FAMILIES: readonly RegExp[] = [
  /\bi (?:don'?t|do not) know\b|\bi have no idea\b|\bno idea\b|\bno clue\b|\bnot sure\b|\bunsure\b/,
  /\bblanking\b|\bdrawing a blank\b|\b(?:can'?t|can ?not) think of\b/,
  /\bi (?:don'?t|do not) have an example\b|\bi (?:can'?t|can ?not) (?:remember|recall)\b/,
  /\bi (?:haven'?t|have not) (?:done|used|worked with|seen|heard of)\b|\bnever (?:did|done|used|worked with|heard of)\b/,
  /\bnot familiar\b|\bunfamiliar\b|\b(?:can'?t|can ?not) answer\b/,
  /\bpass\b|\bskip\b/,
];

/**
 * Signs that the candidate goes on to reason anyway ("not sure, but I'd start by...").
 * "I can/could/would" and "I have/I've" deliberately exclude their negations: "I can't
 * remember" or "I have no idea" are the non-answer itself, not a recovery from it.
 */
const RECOVERY =
  /\bbut\b|\bhowever\b|\bi (?:can|could|would)\b(?!'t| not\b)|\bi'd\b|\bi think\b|\bi guess\b|\bprobably\b|\bmy guess\b|\bmy approach\b|\bi've\b(?! (?:no|not|never)\b)|\bi have\b(?! (?:no|not|never)\b)|\bfirst,|\bfor example\b/;

/** A recovering reply needs at least this many words to count as an attempt. */
const RECOVERY_MIN_WORDS = 9;

function normalize(text: string): string {
  return foldApostrophes(text.toLowerCase())
    .replace(/\s+/gu, " ")
    .replace(/^[ .!?\t]+|[ .!?\t]+$/gu, "");
}

/**
 * Words that survive `normalize` for certain: whitespace-separated runs holding a character
 * other than the trimmed punctuation. Counted only up to `limit + 1`.
 */
const SURE_WORD = /\S*[^\s.!?]\S*/gu;
function sureWordsOver(text: string, limit: number): boolean {
  SURE_WORD.lastIndex = 0;
  let words = 0;
  while (SURE_WORD.exec(text) !== null) if (++words > limit) return true;
  return false;
}

// One turn asks about the same answer several times (tips, follow-up, preface): the last
// answer's verdict is kept. The function is pure, so this only saves the work.
let lastText: string | undefined;
let lastVerdict = false;

export function isNonAnswer(text: string): boolean {
  if (text === lastText) return lastVerdict;
  const verdict = classify(text);
  lastText = text;
  lastVerdict = verdict;
  return verdict;
}

function classify(text: string): boolean {
  // A long answer cannot be a non-answer (every exact one is a few words), so most answers
  // skip the normalising and the patterns.
  if (sureWordsOver(text, NON_ANSWER_MAX_WORDS)) return false;
  const t = normalize(text);
  // Blank or punctuation-only ("...", "?") says nothing, like an empty reply.
  if (t === "") return true;
  if (EXACT_NON_ANSWERS.has(t)) return true;
  if (!NON_ANSWER_FAMILIES.some((family) => family.test(t))) return false;
  const words = t.split(" ").length;
  if (words >= RECOVERY_MIN_WORDS && RECOVERY.test(t)) return false;
  return words <= NON_ANSWER_MAX_WORDS;
}
