/** Hedges: words that soften a claim until it says little ("I think", "maybe", "sort of"). */
import { findPhrases, phraseList, type Token } from "./tokens.ts";
import type { Found } from "./types.ts";

export const HEDGE_PHRASES: readonly string[] = [
  "i think", "i guess", "i believe", "i suppose", "i feel like", "maybe", "perhaps", "probably", "possibly",
  "sort of", "kind of", "somewhat", "a bit", "a little", "more or less", "i'm not sure", "not sure", "i don't know",
  "i don't remember", "hopefully", "might", "it depends", "depends on", "or something", "i would say", "in a way",
  "roughly", "fairly", "pretty much", "to some extent", "i'd say",
];
const HEDGES = phraseList(HEDGE_PHRASES);

export function hedges(text: string, ts: readonly Token[]): Found[] {
  return findPhrases(text, ts, HEDGES);
}
