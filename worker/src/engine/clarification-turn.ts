/**
 * A clarification request: refused by the guardrail when it asks for the answer, otherwise
 * answered by the model or the templated fallback; it never changes the turn.
 */
import { clarificationText, guardrailReply, isAnswerSeeking } from "./clarification.ts";
import { clarificationLimits } from "./clarification-limits.ts";
import { consultRequest, park } from "./consults.ts";
import type { MessageOf, Step } from "./step.ts";
import type { SessionState } from "./types.ts";

export function onClarification(step: Step, s: SessionState, message: MessageOf<"user_clarification">): void {
  const text = clarificationText(message);
  if (text === "") {
    step.error("empty_clarification");
    return;
  }
  if (!s.lastQuestion) {
    step.error("no_prompt");
    return;
  }
  const { prompt, question } = clarificationLimits(s.lastQuestion.question, text);
  if (isAnswerSeeking(question)) {
    sendClarification(step, s, prompt, question, guardrailReply(s.style, prompt), "guardrail");
    return;
  }
  const request = consultRequest(step, s, { clarification: { prompt, question } });
  park(step, { kind: "clarification", request, prompt, question });
}

export function sendClarification(
  step: Step,
  s: SessionState,
  prompt: string,
  question: string,
  reply: string,
  source: "llm" | "guardrail" | "fallback",
): void {
  const message = clarificationLimits(prompt, question, reply).reply;
  step.send({ type: "clarification", turn: s.turn, style: s.style, message, source });
  step.telemetry(s, "clarification", { turn: s.turn, prompt, clarification: question, source });
}
