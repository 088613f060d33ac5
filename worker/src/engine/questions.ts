/**
 * Asking questions: main questions come from the custom queue, then the model, then the
 * bank (rotating by main-question count); every question gets its preface and telemetry.
 */
import type { QuestionOut, QuestionSource } from "@interview/shared";
import { fallbackQuestion } from "./question-packs.ts";
import { pickPreface } from "./preface.ts";
import { consultRequest, nextQuestionContext, nonEmpty, park } from "./consults.ts";
import type { Step } from "./step.ts";
import type { ConsultRequest, PendingConsult, SessionState } from "./types.ts";

/** Custom queue first, then the model, then the bank (seed §1.3 switch_style, §5.3). */
export function askMainQuestion(step: Step, s: SessionState, pending: (request: ConsultRequest) => PendingConsult): void {
  if (s.customQueue.length > 0) {
    sendMainQuestion(step, s, null);
    return;
  }
  park(step, pending(consultRequest(step, s, { nextQuestion: nextQuestionContext(s) })));
}

export function sendMainQuestion(step: Step, s: SessionState, modelQuestion: string | null): void {
  const custom = s.customQueue.shift();
  const model = nonEmpty(modelQuestion);
  const [text, source]: [string, QuestionSource] =
    custom !== undefined
      ? [custom, "custom"]
      : model
        ? [model, "llm"]
        : [fallbackQuestion(s.pack, s.difficulty, s.mainQuestionCount), "fallback"];
  s.mainQuestionCount += 1;
  sendQuestion(step, s, text, source);
}

export function sendQuestion(step: Step, s: SessionState, question: string, source: QuestionSource): void {
  const lastAnswer = s.history.at(-1)?.answer ?? null;
  const preface = pickPreface({
    style: s.style,
    lastAnswer,
    forFollowUp: source === "follow_up",
    question,
    random: step.ctx.random,
  });
  const message: QuestionOut = { type: "question", turn: s.turn, question, style: s.style, source, preface };
  s.lastQuestion = message;
  step.send(message);
  step.telemetry(s, "question", {
    turn: s.turn,
    answer_turn: s.turn + 1,
    question,
    preface,
    style: s.style,
    pack: s.pack,
    difficulty: s.difficulty,
    source,
  });
}
