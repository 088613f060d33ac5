/** Ownership: actions told as "I" against actions told as "we", each with its span. */
import { actionsIn } from "./actions.ts";
import { foundOf, type Sentence } from "./tokens.ts";
import type { Ownership } from "./types.ts";

export function ownership(text: string, all: readonly Sentence[]): Ownership {
  const out: Ownership = { singular: [], plural: [] };
  for (const sentence of all) {
    for (const action of actionsIn(sentence)) {
      if (action.subject === "none") continue;
      out[action.subject].push(foundOf(text, sentence.tokens, action.first, action.last));
    }
  }
  return out;
}
