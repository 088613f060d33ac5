/**
 * Heuristic follow-up questions (docs/seed-behaviour.md §4.3, §2.2): read the answer, guess what
 * it lacks most (an example, numbers, personal ownership, a tradeoff, the impact, brevity)
 * and ask for exactly that in the current style's voice. Used when the LLM is unavailable
 * and, for non-answers, always.
 *
 * Keyword rules match whole tokens (docs/decisions.md): the seed's substring "ms" fired on
 * "problems" and "teams", so the "numbers" intent almost never triggered.
 */
import type { AnswerMetrics, Pack, Style } from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { isHypothetical } from "../coach/question-kind.ts";
import { isNonAnswer } from "./non-answer.ts";
import { codePointLength, hasDigits, pickIndex, tokenize, tokensContain } from "./text.ts";

export type FollowUpIntent = "clarify" | "numbers" | "role" | "tradeoff" | "impact" | "summarize";

type StyleTemplates = Readonly<Record<Style, readonly [string, string]>>;

export const FOLLOW_UP_TEMPLATES: Readonly<Record<FollowUpIntent, StyleTemplates>> = Object.freeze({
  clarify: {
    supportive: [
      "Could you share one concrete example of something you did yourself?",
      "What is one specific action you took that I could picture?",
    ],
    neutral: [
      "What exactly did you do, step by step?",
      "What was your role, and what did you deliver?",
    ],
    cold: [
      "That's vague. What did you actually do?",
      "Skip the preamble. What did you deliver?",
    ],
  },
  numbers: {
    supportive: [
      "Which metric moved because of this? A rough before and after is perfectly fine.",
      "Could you put a number on it, such as time saved, errors avoided or revenue gained?",
    ],
    neutral: [
      "What were the scope, the timeline and the outcome, in numbers?",
      "How would you quantify the result?",
    ],
    cold: [
      "Give me numbers.",
      "You haven't quantified anything. What were the metrics?",
    ],
  },
  role: {
    supportive: [
      "Which part of this was yours, and which part was the team's?",
      "Where did you personally take ownership?",
    ],
    neutral: [
      "What was your role compared with everyone else's?",
      "Which of those decisions did you make yourself?",
    ],
    cold: [
      "Enough \"we\". What did you do?",
      "What exactly were you responsible for?",
    ],
  },
  tradeoff: {
    supportive: [
      "What tradeoff did you face there, and what led you to your choice?",
      "Which options did you set aside, and why?",
    ],
    neutral: [
      "What tradeoffs did you make, and why were they acceptable?",
      "Which constraints shaped the decision?",
    ],
    cold: [
      "What did you give up, and was it worth it?",
      "What was the risk, and how did you contain it?",
    ],
  },
  impact: {
    supportive: [
      "How did it turn out, and who benefited?",
      "How did you know that it had worked?",
    ],
    neutral: [
      "What was the result?",
      "What changed because of your work?",
    ],
    cold: [
      "What changed because of you?",
      "What was the bottom-line impact?",
    ],
  },
  summarize: {
    supportive: [
      "Could you sum that up in one crisp sentence?",
      "What's the headline, in a single sentence? Then feel free to stop there.",
    ],
    neutral: [
      "What's the one-sentence headline?",
      "Summarise it in one sentence, then we'll go deeper.",
    ],
    cold: [
      "One sentence. Go.",
      "Give it to me in one line.",
    ],
  },
});

/**
 * Follow-ups for a question that asks for a design or a plan ("How would you design…"):
 * asking for "one specific action you took" or the candidate's role there does not fit, so
 * these intents ask about components, scale, failure and monitoring instead.
 */
export const DESIGN_FOLLOW_UP_TEMPLATES: Readonly<Record<"clarify" | "numbers" | "impact", StyleTemplates>> = Object.freeze({
  clarify: {
    supportive: ["Which part of the design would you build first, and why?", "Could you walk me through the main components and how they talk to each other?"],
    neutral: ["What are the main components, and how does a request flow through them?", "What would the data model look like?"],
    cold: ["Be concrete. What are the components?", "Name the data store, and say why."],
  },
  numbers: {
    supportive: ["What scale would you design for, roughly: requests a second and data size?", "Which latency target would you aim for?"],
    neutral: ["What traffic and data volume are you assuming?", "What latency and availability targets would you set?"],
    cold: ["Numbers. What load are you designing for?", "What are your latency targets?"],
  },
  impact: {
    supportive: ["How would you know the design is working once it is live?", "What would you monitor first?"],
    neutral: ["How does it fail, and what happens then?", "What would you monitor in production?"],
    cold: ["What breaks first under load?", "How does it fail?"],
  },
});

/** Beyond either limit the answer needs condensing more than anything else. */
const SUMMARIZE_MIN_CHARS = 900;
const SUMMARIZE_MIN_RATE = 190;
/** Shorter answers cannot have said enough yet; ask for substance first. */
const CLARIFY_MAX_CHARS = 160;
/** "we" must outnumber "I" by more than this before ownership is questioned. */
const WE_OVER_I_MARGIN = 2;

/**
 * Words that show an answer already talks in measurable terms. Beyond the seed's list
 * (percent, ms, latency, revenue, users, kpi, roi, errors, cost) we accept the obvious
 * singular/plural forms, which the seed's substrings matched implicitly.
 */
const METRIC_WORDS: readonly string[] = [
  "percent",
  "percentage",
  "ms",
  "latency",
  "revenue",
  "user",
  "users",
  "kpi",
  "kpis",
  "roi",
  "error",
  "errors",
  "cost",
  "costs",
];

/** Seed list plus plurals and "trade off" spellings; tokenisation makes "trade-off" == "trade off". */
const TRADEOFF_WORDS: readonly string[] = [
  "tradeoff",
  "tradeoffs",
  "trade-off",
  "trade-offs",
  "decision",
  "decisions",
  "chose",
  "chosen",
  "choice",
  "choices",
  "versus",
  "vs",
  "constraint",
  "constraints",
];

/** Counts a pronoun with its contractions: "we're" and "we've" are "we", "I'm" is "I". */
function pronounCount(tokens: readonly string[], pronoun: string): number {
  return tokens.filter((t) => t === pronoun || t.startsWith(`${pronoun}'`)).length;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function pickFollowUpIntent(answer: string, metrics: AnswerMetrics | null | undefined): FollowUpIntent {
  const text = answer.trim();
  const length = codePointLength(text);
  const rate = finiteOrNull(metrics?.speakingRate);
  if (length > SUMMARIZE_MIN_CHARS || (rate !== null && rate > SUMMARIZE_MIN_RATE)) return "summarize";
  if (length < CLARIFY_MAX_CHARS) return "clarify";
  const tokens = tokenize(text);
  if (!hasDigits(text) && !text.includes("%") && !tokensContain(tokens, METRIC_WORDS)) return "numbers";
  if (pronounCount(tokens, "we") > pronounCount(tokens, "i") + WE_OVER_I_MARGIN) return "role";
  if (tokensContain(tokens, TRADEOFF_WORDS)) return "tradeoff";
  return "impact";
}

/** Story-based packs ask for another example; the rest ask how the candidate would start. */
function isBehaviouralPack(pack: Pack): boolean {
  return pack.includes("behavior") || pack.includes("leadership");
}

export function pickFollowUp(args: {
  answer: string;
  metrics: AnswerMetrics | null | undefined;
  style: Style;
  pack: Pack;
  random: () => number;
  /** The question answered: a design or plan question gets design follow-ups. */
  question?: string;
}): { text: string; intent: FollowUpIntent | "non_answer" } {
  const card = STYLE_CARDS[args.style];
  if (isNonAnswer(args.answer)) {
    const text = isBehaviouralPack(args.pack) ? card.nonAnswerFollowUp.behavioural : card.nonAnswerFollowUp.approach;
    return { text, intent: "non_answer" };
  }
  const design = args.question !== undefined && isHypothetical(args.question);
  let intent = pickFollowUpIntent(args.answer, args.metrics);
  // "Which part was yours?" fits a story, not a design: ask what it trades off instead.
  if (design && intent === "role") intent = "tradeoff";
  const pair = design && (intent === "clarify" || intent === "numbers" || intent === "impact") ? DESIGN_FOLLOW_UP_TEMPLATES[intent][args.style] : FOLLOW_UP_TEMPLATES[intent][args.style];
  return { text: pair[pickIndex(args.random, pair.length)] ?? pair[0], intent };
}
