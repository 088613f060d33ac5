/**
 * Turning model text into interview content, or into nothing. Replies are parsed tolerantly
 * (bare JSON, a fenced block, or JSON wrapped in prose) and validated with zod; anything that
 * does not fit comes back null so the engine's heuristics answer that part, and only that
 * part. Nothing here throws.
 *
 * Fixes against the seed (§5.2-5.4): a null or non-string follow-up (or a tips value that is
 * not a list) is treated as absent instead of a crash, and the rest of the reply is kept;
 * a JSON reply without a question key is invalid instead of becoming the question; and prose
 * where JSON was asked for ("Sure! Here is what I think: ...") is invalid instead of becoming
 * the question with a "?" appended.
 */
import * as z from "zod";
import type { Tip } from "@interview/shared";
import { normalizeWhitespace } from "../../engine/text.ts";

/** Longest question we show; longer model output is cut at a word boundary. */
export const QUESTION_MAX_CHARS = 300;
/** Follow-ups are one sentence too. */
export const FOLLOW_UP_MAX_CHARS = 300;
/** The engine caps clarifications at 1400 as well (seed §9); this keeps memory bounded earlier. */
export const CLARIFICATION_MAX_CHARS = 1400;
const TIP_SUMMARY_MAX_CHARS = 120;
const TIP_DETAIL_MAX_CHARS = 400;
const TIPS_MAX = 2;
/** A "question" of fewer words is noise ("Why?", "Next?"). */
const QUESTION_MIN_WORDS = 3;

/** Whole text, then a fenced block, then the first `{` to the last `}`; null when none parses. */
export function extractJson(text: string): unknown {
  const candidates = [text.trim()];
  const fenced = /```(?:json|JSON)?\s*([\s\S]*?)```/.exec(text);
  if (fenced?.[1]) candidates.push(fenced[1].trim());
  const first = text.indexOf("{");
  const last = text.lastIndexOf("}");
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const candidate of candidates) {
    if (!candidate.startsWith("{") && !candidate.startsWith("[")) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // Try the next shape.
    }
  }
  return null;
}

const textOrList = z.union([z.string(), z.array(z.string()).transform((parts) => parts.join(" "))]);

/** A string field that may be null, missing or of another type; anything but a string is absent. */
const optionalText = z.string().nullish().catch(undefined);

const CoachingReply = z.object({
  follow_up: optionalText,
  followup: optionalText,
  followUp: optionalText,
  tips: z.array(z.unknown()).nullish().catch(undefined),
});

const TipReply = z.object({
  summary: z.string(),
  detail: z.string().optional(),
  text: z.string().optional(),
});

export interface CoachingContent {
  followUp: string | null;
  tips: Tip[] | null;
}

/** docs/seed-behaviour.md §5.2: follow-up from follow_up | followup | followUp, at most two tips; null if both are empty. */
export function parseCoaching(text: string): CoachingContent | null {
  const parsed = CoachingReply.safeParse(extractJson(text));
  if (!parsed.success) return null;
  const reply = parsed.data;
  // The seed's `follow_up or followup or followUp`: the first one that is not empty.
  const followUp =
    [reply.follow_up, reply.followup, reply.followUp]
      .map((candidate) => cleanSentence(candidate ?? "", FOLLOW_UP_MAX_CHARS))
      .find((candidate) => candidate !== "") ?? "";
  const tips: Tip[] = [];
  for (const item of reply.tips ?? []) {
    const tip = TipReply.safeParse(item);
    if (!tip.success) continue;
    const summary = cap(stripMarkdown(tip.data.summary), TIP_SUMMARY_MAX_CHARS);
    const detail = cap(stripMarkdown(tip.data.detail ?? tip.data.text ?? ""), TIP_DETAIL_MAX_CHARS);
    if (summary && detail) tips.push({ summary, detail });
    if (tips.length === TIPS_MAX) break;
  }
  if (!followUp && tips.length === 0) return null;
  return { followUp: followUp || null, tips: tips.length > 0 ? tips : null };
}

const QuestionReply = z.object({ question: textOrList.optional(), prompt: textOrList.optional(), text: textOrList.optional() });

/**
 * What the question prompt asked for (prompts.ts): `json` (`{"question": ...}`, the default)
 * or `sentence` (the bare question, for streaming).
 */
export type QuestionShape = "json" | "sentence";

/**
 * docs/seed-behaviour.md §5.3: `question`, else `prompt`, else `text`. Where JSON was asked for, a reply without
 * any is invalid (the heuristics answer). Where the bare sentence was asked for, its first
 * non-empty line is the question, and it must read as one: end with "?" or open like a
 * question or a request ("How…", "Tell me…"), so a preamble ("Sure! Here is…") is refused.
 * Cleaned, capped, and it must read as a question.
 */
export function parseQuestion(text: string, shape: QuestionShape = "json"): string | null {
  const json = extractJson(text);
  let candidate: string;
  if (json !== null) {
    const parsed = QuestionReply.safeParse(json);
    if (!parsed.success) return null;
    candidate = parsed.data.question ?? parsed.data.prompt ?? parsed.data.text ?? "";
  } else {
    if (shape === "json") return null;
    candidate = firstLine(text.replace(/```[a-zA-Z]*/g, ""));
    if (!readsAsQuestion(stripQuotes(stripLabel(stripMarkdown(candidate))))) return null;
  }
  return cleanQuestion(candidate);
}

/** Words a question or an interview request opens with. */
const QUESTION_OPENERS =
  /^(?:what|how|why|when|where|which|who|whom|whose|tell|describe|walk|talk|explain|share|give|can|could|would|will|do|does|did|have|has|had|is|are|was|were|should|if|imagine|suppose|say|design|pick|name|think|in)\b/iu;

function readsAsQuestion(s: string): boolean {
  return s.trim().endsWith("?") || QUESTION_OPENERS.test(s.trim());
}

/** A question fit to show: no markdown, labels or wrapping quotes, ≤ 300 chars, ends with "?". */
export function cleanQuestion(raw: string): string | null {
  let q = cleanSentence(raw, QUESTION_MAX_CHARS - 1);
  if (!q || looksLikeJson(q)) return null;
  if (q.split(" ").filter((w) => /\p{L}/u.test(w)).length < QUESTION_MIN_WORDS) return null;
  q = q.replace(/[\s.:;,!-]+$/u, "");
  return q.endsWith("?") ? q : `${q}?`;
}

const ClarificationReply = z.object({
  message: textOrList.optional(),
  clarification: textOrList.optional(),
  response: textOrList.optional(),
  text: textOrList.optional(),
});

/** docs/seed-behaviour.md §5.4: message | clarification | response | text, else the whole text if it is prose. */
export function parseClarification(text: string): string | null {
  const json = extractJson(text);
  let candidate: string;
  if (json !== null) {
    const parsed = ClarificationReply.safeParse(json);
    if (!parsed.success) return null;
    candidate = parsed.data.message ?? parsed.data.clarification ?? parsed.data.response ?? parsed.data.text ?? "";
  } else {
    candidate = text.replace(/```[a-zA-Z]*/g, "");
  }
  const cleaned = cap(stripQuotes(stripMarkdown(candidate)), CLARIFICATION_MAX_CHARS);
  return cleaned && !looksLikeJson(cleaned) ? cleaned : null;
}

function cleanSentence(raw: string, max: number): string {
  return cap(stripQuotes(stripLabel(stripMarkdown(raw))), max);
}

function stripMarkdown(s: string): string {
  return normalizeWhitespace(
    s
      .replace(/```[a-zA-Z]*/g, " ")
      .replace(/\*\*|__|`/g, "")
      .replace(/^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s+)/u, "")
      .replace(/(^|\s)\*(\S[^*]*?)\*(?=\s|$|[.,?!])/gu, "$1$2"),
  );
}

/** "Question: ...", "Next question - ..." */
function stripLabel(s: string): string {
  return s.replace(/^(?:next\s+)?(?:question|follow[- ]?up|interviewer)\s*[:\-–—]\s*/iu, "");
}

function stripQuotes(s: string): string {
  let out = s.trim();
  for (;;) {
    const next = out.replace(/^["'“”‘’«»]+|["“”«»]+$/gu, "").replace(/(?<=[?.!])['‘’]+$/u, "").trim();
    if (next === out) return out;
    out = next;
  }
}

function looksLikeJson(s: string): boolean {
  return /[{}[\]]/.test(s) || /"\s*:\s*/.test(s);
}

function firstLine(s: string): string {
  return s.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? "";
}

function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd();
}
