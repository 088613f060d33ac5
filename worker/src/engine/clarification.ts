/**
 * Helpers for `user_clarification` (docs/seed-behaviour.md §1.3, §4.6): refuse requests for the
 * answer itself, extract the candidate's text the way the seed did, and produce a templated
 * clarification when the LLM is unavailable. Every reply restates the original prompt so
 * the candidate is pointed back at the question.
 */
import type { Difficulty, Pack, Style } from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { isHypothetical } from "../coach/question-kind.ts";

/** Requests for a ready-made answer rather than a clarification. */
const ANSWER_SEEKING: readonly RegExp[] = [
  /\bwhat should i say\b/i,
  /\bwhat do i say\b/i,
  /\bwrite (?:me )?an answer\b/i,
  /\bgive (?:me )?(?:a )?sample answer\b/i,
  /\bgive (?:me )?the answer\b/i,
  /\bhow would you answer\b/i,
  /\bwhat(?: is|'s|’s) the best answer\b/i,
  /\bcan you answer\b/i,
];

export function isAnswerSeeking(text: string): boolean {
  const t = text.replace(/\s+/gu, " ");
  return ANSWER_SEEKING.some((re) => re.test(t));
}

/** Trims and appends "?" unless already there; blank stays blank rather than becoming "?". */
export function ensureQuestionMark(s: string): string {
  const t = s.trim();
  if (t === "" || t.endsWith("?")) return t;
  return `${t}?`;
}

function originalPrompt(prompt: string): string {
  return ` Original prompt: ${ensureQuestionMark(prompt)}`;
}

export function guardrailReply(style: Style, prompt: string): string {
  return `${STYLE_CARDS[style].guardrailRefusal}${originalPrompt(prompt)}`;
}

const GUIDANCE = {
  design: {
    standard:
      "State your assumptions first (scale and traffic, latency, consistency), then cover the APIs, the data model and how it scales. If a constraint is missing, pick a reasonable one and say why.",
    hard: "Be decisive: state your assumptions on traffic, SLOs and data size, name the tradeoffs, then outline the APIs, storage and failure modes.",
  },
  story: {
    standard:
      "Use one concrete example and tell it as situation, task, action, result. Something from the last year or two is fine; lead with the outcome.",
    hard: "Keep it tight: the outcome first, then two or three actions and one measurable result.",
  },
} as const satisfies Record<string, Record<Difficulty, string>>;

function isSystemDesignPack(pack: Pack): boolean {
  return pack.includes("system") || pack.includes("design");
}

export function fallbackClarification(args: {
  style: Style;
  pack: Pack;
  difficulty: Difficulty;
  prompt: string;
  question: string;
}): string {
  const guidance = GUIDANCE[isSystemDesignPack(args.pack) || isHypothetical(args.prompt) ? "design" : "story"][args.difficulty];
  const asked = args.question.trim();
  // Read as one reply: the candidate's question named first, then the guidance, then back to the prompt.
  const about = asked === "" ? "" : `about “${asked.replace(/[\s?.!]+$/u, "")}”: `;
  const opened = about === "" ? guidance : `${about}${guidance.charAt(0).toLowerCase()}${guidance.slice(1)}`;
  return `${STYLE_CARDS[args.style].clarificationOpener}${opened} Back to the question: ${ensureQuestionMark(args.prompt)}`;
}

/** Python's truthiness, so the field choice matches the seed's `a or b or c` chain. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

/** Python's str() for the scalar cases a JSON frame can carry. */
function pythonStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return String(v);
  if (v === null || v === undefined) return "";
  return JSON.stringify(v) ?? "";
}

/** The candidate's clarification: the first truthy of question, clarification, text. */
export function clarificationText(raw: { question?: unknown; clarification?: unknown; text?: unknown }): string {
  const chosen = [raw.question, raw.clarification, raw.text].find(truthy);
  return pythonStr(chosen).trim();
}
