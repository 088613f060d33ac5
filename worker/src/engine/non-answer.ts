/**
 * Recognises "I don't know"-style replies (seed-behaviour.md §4.5), so the engine can answer
 * them with a gentler follow-up, fixed tips and a "move on" preface instead of coaching a
 * non-existent answer.
 *
 * Amended by decisions.md: a reply must both match a non-answer pattern and be short
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

export function isNonAnswer(text: string): boolean {
  const t = normalize(text);
  // Blank or punctuation-only ("...", "?") says nothing, like an empty reply.
  if (t === "") return true;
  if (EXACT_NON_ANSWERS.has(t)) return true;
  if (!NON_ANSWER_FAMILIES.some((family) => family.test(t))) return false;
  const words = t.split(" ").length;
  if (words >= RECOVERY_MIN_WORDS && RECOVERY.test(t)) return false;
  return words <= NON_ANSWER_MAX_WORDS;
}
