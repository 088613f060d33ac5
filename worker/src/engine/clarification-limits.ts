/** Truncation of clarification texts to the seed's limits (seed §1.3, §9). */
import {
  CLARIFICATION_PROMPT_MAX_CHARS,
  CLARIFICATION_QUESTION_MAX_CHARS,
  CLARIFICATION_REPLY_MAX_CHARS,
} from "@interview/shared";

export function clarificationLimits(
  prompt: string,
  question: string,
  reply = "",
): { prompt: string; question: string; reply: string } {
  return {
    prompt: prompt.slice(0, CLARIFICATION_PROMPT_MAX_CHARS),
    question: question.slice(0, CLARIFICATION_QUESTION_MAX_CHARS),
    reply: reply.slice(0, CLARIFICATION_REPLY_MAX_CHARS),
  };
}
