/**
 * Actions: a first-person subject followed by a verb that reports something done ("I
 * profiled", "we shipped", "I have checked", "I am proposing", "I would shard"), or a
 * sentence that opens with such a verb ("Fixed it.", "Hash the URL"). States, opinions and
 * habits ("I was", "I think", "I always try") are not actions.
 */
import { ACTION_BASE, BETWEEN_SUBJECT_AND_VERB, HABITUAL, isActionIng, isPastAction, NON_ACTION_VERBS } from "./verbs.ts";
import type { Sentence, Token } from "./tokens.ts";

export interface Action {
  subject: "singular" | "plural" | "none";
  /** Token indexes, within the sentence, of the subject (or the verb) and of the verb. */
  first: number;
  last: number;
}

const SINGULAR = new Set(["i", "i'd", "i've", "i'll"]);
const PLURAL = new Set(["we", "we'd", "we've", "we'll"]);
const MODALS = new Set(["would", "will", "could", "'d", "should", "can"]);
const HAVE = new Set(["have", "has", "had", "'ve"]);
const PROGRESSIVE = new Set(["am", "are", "is"]);

export function actionsIn(sentence: Sentence): Action[] {
  const ts = sentence.tokens;
  const out: Action[] = [];
  const opener = ts[0];
  if (opener && opensWithVerb(opener.word)) out.push({ subject: "none", first: 0, last: 0 });
  for (let i = 0; i < ts.length; i++) {
    const w = ts[i]!.word;
    const subject = SINGULAR.has(w) ? "singular" : PLURAL.has(w) ? "plural" : null;
    if (!subject) continue;
    if (i > 0 && HABITUAL.has(ts[i - 1]!.word)) continue;
    const verb = verbAfter(ts, i, w);
    if (verb !== null) out.push({ subject, first: i, last: verb });
  }
  return out;
}

function opensWithVerb(word: string): boolean {
  if (NON_ACTION_VERBS.has(word)) return false;
  return ACTION_BASE.has(word) || (isPastAction(word) && word !== "based") || (isActionIng(word) && ACTION_BASE.has(word.slice(0, -3)));
}

/** Index of the action verb after the subject at `i`, or null when the clause is no action. */
function verbAfter(ts: readonly Token[], i: number, subjectWord: string): number | null {
  let j = i + 1;
  while (j < ts.length && BETWEEN_SUBJECT_AND_VERB.has(ts[j]!.word)) j++;
  const first = ts[j]?.word;
  if (first === undefined || HABITUAL.has(first)) return null;
  const contractedModal = subjectWord.endsWith("'d") || subjectWord.endsWith("'ll");
  const contractedHave = subjectWord.endsWith("'ve");
  if (contractedModal || MODALS.has(first)) {
    // "I would shard", "I'd start by": a proposed action.
    let k = contractedModal ? j : j + 1;
    while (k < ts.length && BETWEEN_SUBJECT_AND_VERB.has(ts[k]!.word)) k++;
    const base = ts[k]?.word;
    return base !== undefined && !NON_ACTION_VERBS.has(base) && (ACTION_BASE.has(base) || /^[a-z]{3,}$/u.test(base) && !HABITUAL.has(base)) ? k : null;
  }
  if (contractedHave || HAVE.has(first)) {
    // "I have checked", "we had moved" — but not "I had to" (an obligation: the task).
    const k = contractedHave ? j : j + 1;
    const participle = ts[k]?.word;
    return participle !== undefined && isPastAction(participle) ? k : null;
  }
  if (PROGRESSIVE.has(first)) {
    // Non-native present progressive for a past action: "I am proposing", "we are finishing".
    const participle = ts[j + 1]?.word;
    return participle !== undefined && isActionIng(participle) ? j + 1 : null;
  }
  if (isPastAction(first)) return j;
  if (ACTION_BASE.has(first)) return j;
  return null;
}
