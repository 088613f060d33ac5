/**
 * The rubric call (README, Coaching: "With the model"): the model scores one answer 1-5 per
 * STAR part, relevance and specificity, each with a quote from the answer. The reply must be
 * the asked-for JSON (validated with zod; prose or a wrong shape is invalid, and the
 * heuristic feedback stands); each quote is looked up in the answer and a criterion whose
 * quote does not occur there is dropped (null), never shown. A reply whose every quote was
 * invented is invalid as a whole.
 */
import * as z from "zod";
import { RUBRIC_CRITERIA, type RubricScores } from "@interview/shared";
import { quoteSpan } from "../../coach/quote-span.ts";
import type { RubricRequest } from "../../engine/types.ts";
import type { ChatMessage } from "./prompts.ts";
import { extractJson } from "./reply-parsing.ts";

/** Answers are the candidate's own words; the cap keeps one rambling answer from eating the context. */
const ANSWER_CHARS_IN_PROMPT = 3_000;
const QUOTE_MAX_CHARS = 300;

const CriterionReply = z.object({
  score: z.number().int().min(1).max(5),
  quote: z.string().min(1).max(QUOTE_MAX_CHARS),
});
const RubricReply = z.object(Object.fromEntries(RUBRIC_CRITERIA.map((c) => [c, CriterionReply])) as Record<(typeof RUBRIC_CRITERIA)[number], typeof CriterionReply>);

export function rubricMessages(request: RubricRequest): ChatMessage[] {
  const answer = request.answer.slice(0, ANSWER_CHARS_IN_PROMPT);
  return [
    {
      role: "system",
      content: [
        "You grade one answer from a mock job interview against a rubric. Score each criterion from 1 (absent or weak) to 5 (clear and strong):",
        "situation: the context is set; task: the goal or responsibility is stated; action: the candidate's own steps are described;",
        "result: the outcome is stated, ideally measured; relevance: the answer addresses the question asked; specificity: concrete numbers, names and time frames.",
        "For every criterion give a quote: a short phrase copied exactly, word for word, from the candidate's answer, that the score rests on. Never paraphrase or invent a quote.",
        'Reply with one JSON object and nothing else, no markdown and no code fence: {"situation": {"score": 3, "quote": "..."}, "task": {...}, "action": {...}, "result": {...}, "relevance": {...}, "specificity": {...}}',
      ].join("\n"),
    },
    {
      role: "user",
      content: [`Question: ${request.question}`, 'Answer (between the triple quotes):', '"""', answer, '"""', "Return the JSON object only."].join("\n"),
    },
  ];
}

/** The validated scores with each quote's span in the answer, or null when the reply is unusable. */
export function parseRubric(text: string, answer: string): RubricScores | null {
  const parsed = RubricReply.safeParse(extractJson(text));
  if (!parsed.success) return null;
  let found = 0;
  const scores = {} as RubricScores;
  for (const criterion of RUBRIC_CRITERIA) {
    const { score, quote } = parsed.data[criterion];
    const evidence = quoteSpan(answer, quote);
    if (evidence) found += 1;
    // The quote shown is the answer's own text at the span, not the model's copy of it.
    scores[criterion] = evidence ? { score, quote: answer.slice(evidence.from, evidence.to), evidence } : null;
  }
  return found > 0 ? scores : null;
}
