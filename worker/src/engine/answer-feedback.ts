/**
 * One answer's coaching, decided by the engine from the answer alone (pure): the `feedback`
 * message's content and delivery, the tips, and the compact score kept for the end-of-session
 * report. `COACH=seed` keeps the seed's exact tips (engine/coaching.ts); the feedback is sent
 * either way.
 */
import type { AnswerMetrics, FeedbackContent, FeedbackDelivery, Style, Tip } from "@interview/shared";
import { analyzeContent } from "../coach/analyze.ts";
import { analyzeDelivery } from "../coach/delivery.ts";
import { evidenceTips, quote } from "../coach/tips.ts";
import { STAR_PARTS, type TimedWord } from "../coach/types.ts";
import { heuristicTips } from "./coaching.ts";
import type { AnswerScore, CoachMode } from "./types.ts";

export interface AnswerCoaching {
  content: FeedbackContent;
  delivery: FeedbackDelivery | null;
  /** The heuristic tips (used when the model gave none). */
  tips: Tip[];
}

export function coachAnswer(args: {
  answer: string;
  question: string;
  metrics: AnswerMetrics;
  words: readonly TimedWord[] | null | undefined;
  style: Style;
  mode: CoachMode;
}): AnswerCoaching {
  const content = analyzeContent(args.answer, args.question);
  const delivery = args.words && args.words.length > 0 ? analyzeDelivery(args.words) : null;
  const tips =
    args.mode === "seed"
      ? heuristicTips({ answer: args.answer, metrics: args.metrics, style: args.style })
      : evidenceTips({ answer: args.answer, question: args.question, content, delivery, metrics: args.metrics });
  return { content, delivery, tips };
}

/** Longest quote kept per finding in the report. */
const REPORT_QUOTES_PER_PART = 1;

/** What the report needs of one answer: scores, with short quotes as evidence (the answer itself is not kept). */
export function scoreAnswer(turn: number, question: string, answer: string, coaching: AnswerCoaching): AnswerScore {
  const { content, delivery } = coaching;
  const quotes = (spans: readonly { from: number; to: number }[]) => spans.slice(0, REPORT_QUOTES_PER_PART).map((s) => quote(answer, s));
  const star = Object.fromEntries(STAR_PARTS.map((p) => [p, { present: content.star[p].present, quotes: quotes(content.star[p].evidence) }])) as AnswerScore["star"];
  return {
    turn,
    question,
    words: content.words,
    star,
    starScore: STAR_PARTS.filter((p) => content.star[p].present).length,
    numbers: content.specificity.numbers.slice(0, 3).map((n) => n.text),
    names: content.specificity.names.length,
    singular: content.ownership.singular.length,
    plural: content.ownership.plural.length,
    hedges: content.hedges.slice(0, 3).map((h) => h.text),
    relevance: content.relevance.score,
    wpm: delivery ? delivery.wpmExcludingPauses : null,
    fillersPer100Words: delivery ? delivery.fillersPer100Words : null,
  };
}

/** `COACH`: "seed" keeps the seed's exact tips; anything else (or unset) chooses them from the analysis. */
export function coachMode(value: string | undefined): CoachMode {
  return value?.trim().toLowerCase() === "seed" ? "seed" : "evidence";
}
