/**
 * One answer's turn: store it, ask the model for coaching (and the next main question when
 * one is due), then reply in the seed's order: tips, then `feedback` (the coach's analysis,
 * README: protocol), question, interviewer_message.
 */
import { HISTORY_PAIRS_KEPT, type AnswerMetrics, type Tip } from "@interview/shared";
import { fallbackQuestion } from "./question-packs.ts";
import { coachAnswer, scoreAnswer } from "./answer-feedback.ts";
import type { TimedWord } from "../coach/types.ts";
import { pickFollowUp } from "./follow-up-intents.ts";
import { isNonAnswer } from "./non-answer.ts";
import { askRubric } from "./rubric-turn.ts";
import { consultRequest, nextQuestionContext, nonEmpty, park } from "./consults.ts";
import { endReason, endSession } from "./session-lifecycle.ts";
import { sendMainQuestion, sendQuestion } from "./questions.ts";
import type { MessageOf, Step } from "./step.ts";
import type { ConsultResult, PendingConsult, SessionState } from "./types.ts";

/** Answers whose scores the report covers: the last 50 (a session is rarely longer). */
export const SCORES_KEPT = 50;

export function onAnswer(step: Step, s: SessionState, message: MessageOf<"user_answer">, words?: TimedWord[]): void {
  const answer = message.answer;
  const metrics = knownMetrics(message.metrics);
  const answeredQuestion = s.lastQuestion?.question ?? fallbackQuestion(s.pack, s.difficulty, s.mainQuestionCount);
  s.turn += 1;
  // Over the session's record limit the interview goes on, but the answer is not kept: say so.
  const stored = step.persist(s, {
    kind: "answer",
    turn: s.turn,
    answer,
    style: s.style,
    group: s.group,
    speakingRate: metrics.speakingRate ?? null,
    pauseRatio: metrics.pauseRatio ?? null,
    gaze: metrics.gaze ?? null,
    fillers: metrics.fillers ?? null,
  });
  if (!stored) step.storageFull("answer");
  s.history = [...s.history, { question: answeredQuestion, answer }].slice(-HISTORY_PAIRS_KEPT);
  const wasFollowUp = s.awaitingFollowUp;
  // A main question is needed next only when this answered a follow-up and the session goes on.
  const needsMainQuestion = wasFollowUp && !endReason(s, step.ctx.now) && s.customQueue.length === 0;
  const request = consultRequest(step, s, {
    coaching: { question: answeredQuestion, answer, metrics },
    ...(needsMainQuestion ? { nextQuestion: nextQuestionContext(s) } : {}),
  });
  // The model's rubric runs beside the turn's consult and is never awaited by it (rubric-turn.ts).
  if (!isNonAnswer(answer)) askRubric(step, s, { sessionId: s.id, turn: s.turn, question: answeredQuestion, answer });
  park(step, {
    kind: "answer",
    request,
    answer,
    metrics,
    answeredQuestion,
    wasFollowUp,
    receivedAt: step.ctx.now,
    ...(words && words.length > 0 ? { words } : {}),
  });
}

/** docs/seed-behaviour.md §4.4: the model's follow-up and tips where usable, the heuristics for the rest. */
export function finishAnswer(
  step: Step,
  s: SessionState,
  pending: Extract<PendingConsult, { kind: "answer" }>,
  result: ConsultResult,
): void {
  const { answer, metrics } = pending;
  const heuristic = pickFollowUp({ answer, metrics, style: s.style, pack: s.pack, random: step.ctx.random, question: pending.answeredQuestion });
  const modelFollowUp = nonEmpty(result.coaching?.followUp);
  const followUp = isNonAnswer(answer) ? heuristic.text : (modelFollowUp ?? heuristic.text);
  const modelTips = result.coaching?.tips?.filter((t) => t.summary.trim() && t.detail.trim()).slice(0, 2) ?? [];
  const coaching = coachAnswer({
    answer,
    question: pending.answeredQuestion,
    metrics,
    words: pending.words,
    style: s.style,
    mode: step.ctx.coach ?? "evidence",
  });
  const tips: Tip[] = modelTips.length > 0 ? modelTips : coaching.tips;

  step.send({ type: "tips", turn: s.turn, items: tips });
  step.telemetry(s, "tips", { turn: s.turn, items: tips, source: modelTips.length > 0 ? "llm" : "heuristic" });
  step.send({ type: "feedback", turn: s.turn, content: coaching.content, delivery: coaching.delivery });
  const score = scoreAnswer(s.turn, pending.answeredQuestion, answer, coaching);
  s.scores = [...(s.scores ?? []), score].slice(-SCORES_KEPT);
  step.persist(s, { kind: "feedback", turn: s.turn, score, content: coaching.content, delivery: coaching.delivery });
  step.telemetry(s, "turn_latency", { turn: s.turn }, step.ctx.now - pending.receivedAt);

  const reason = endReason(s, step.ctx.now);
  if (reason) {
    endSession(step, s, reason);
    return;
  }
  if (pending.wasFollowUp) {
    s.awaitingFollowUp = false;
    sendMainQuestion(step, s, result.question ?? null);
  } else {
    s.awaitingFollowUp = true;
    sendQuestion(step, s, followUp, "follow_up");
    step.send({ type: "interviewer_message", turn: s.turn, style: s.style, message: followUp });
  }
}

function knownMetrics(metrics: AnswerMetrics): AnswerMetrics {
  return {
    speakingRate: metrics.speakingRate ?? null,
    pauseRatio: metrics.pauseRatio ?? null,
    gaze: metrics.gaze ?? null,
    fillers: metrics.fillers ?? null,
  };
}
