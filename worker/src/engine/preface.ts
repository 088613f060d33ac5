/**
 * The short spoken acknowledgement put before the next question (docs/seed-behaviour.md §1.4):
 * it makes the interviewer sound like it heard the answer. After a non-answer it switches
 * to a "let's move on" or a reframe word, and it is dropped when the question (typically
 * from the LLM) already opens with its own acknowledgement, to avoid "Okay. Okay, ...".
 */
import type { Style } from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { isNonAnswer } from "./non-answer.ts";
import { pickIndex } from "./text.ts";

const ACK_START =
  /^\s*(?:(?:no worries|no problem|ok|okay|alright|all right|understood|got it|fair|thanks|thank you|that['’]s ok(?:ay)?|good question)\b|(?:nice|great)\s*[,—–-])/i;

export function startsWithAcknowledgement(question: string): boolean {
  return ACK_START.test(question);
}

export function pickPreface(args: {
  style: Style;
  lastAnswer: string | null;
  forFollowUp: boolean;
  question: string;
  random: () => number;
}): string | null {
  if (args.lastAnswer === null) return null;
  if (startsWithAcknowledgement(args.question)) return null;
  const card = STYLE_CARDS[args.style];
  if (isNonAnswer(args.lastAnswer)) return args.forFollowUp ? card.reframePreface : card.moveOnPreface;
  const options = card.acknowledgements;
  return options[pickIndex(args.random, options.length)] ?? null;
}
