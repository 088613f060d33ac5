/**
 * The model's rubric for an answer (README, Coaching: "With the model"), arriving after the
 * turn's own replies: the adapter asked for it when the answer came (the `rubric` effect) and
 * feeds its result back here. A valid rubric goes out as `feedback_rubric` for the turn, is
 * kept in the answer's report score and, with consent, stored on the answer's feedback row.
 * A failed or invalid one changes nothing but the `llm_call` telemetry: the heuristic
 * feedback stands.
 */
import type { RubricCriterion, RubricScores } from "@interview/shared";
import { quote } from "../coach/tips.ts";
import { recordLlmCall } from "./consults.ts";
import type { Step } from "./step.ts";
import type { AnswerScore, RubricRequest, RubricResult, SessionState } from "./types.ts";

/** Rubrics asked at most this long ago are asked again by an object that lost them (evicted mid-call). */
export const RUBRIC_RESCUE_WINDOW_MS = 60_000;
/** Rubrics kept as asked at once: the answers of the last few turns. */
export const RUBRICS_PENDING_KEPT = 3;

/** Asks the model's rubric for an answer (when the adapter asks rubrics), and remembers it until it is scored. */
export function askRubric(step: Step, s: SessionState, request: RubricRequest): void {
  if (step.ctx.rubric === false) return;
  step.effects.push({ kind: "rubric", request });
  const now = step.ctx.now;
  s.rubricsAsked = [...(s.rubricsAsked ?? []).filter((e) => now - e.askedAt < RUBRIC_RESCUE_WINDOW_MS), { request, askedAt: now }].slice(-RUBRICS_PENDING_KEPT);
}

/** The rubrics asked within the rescue window and not scored yet: what an object that lost them asks again. */
export function rubricsToRescue(s: SessionState | null | undefined, now: number): RubricRequest[] {
  return (s?.rubricsAsked ?? []).filter((e) => now - e.askedAt < RUBRIC_RESCUE_WINDOW_MS).map((e) => e.request);
}

export function onRubricScored(step: Step, sessionId: string, turn: number, result: RubricResult): void {
  const s = step.state.session;
  if (!s || s.id !== sessionId) return;
  // The call is over, whatever it gave: nothing is left to ask again.
  if (s.rubricsAsked?.some((e) => e.request.turn === turn)) {
    s.rubricsAsked = s.rubricsAsked.filter((e) => e.request.turn !== turn);
    if (s.rubricsAsked.length === 0) delete s.rubricsAsked;
  }
  for (const call of result.calls) recordLlmCall(step, s, call, turn);
  const scores = result.scores;
  if (!scores) return;
  const kept = s.scores ?? [];
  const index = kept.findIndex((a) => a.turn === turn);
  // Not coached in this state (its scores dropped at a session's end without consent), or scored already.
  if (index < 0 || kept[index]!.rubric) return;
  const score: AnswerScore = { ...kept[index]!, rubric: compact(scores) };
  s.scores = kept.map((a, i) => (i === index ? score : a));
  step.persist(s, { kind: "feedback_rubric", turn, rubric: scores, model: result.model, score });
  // After the end the socket is closed: the rubric is kept (with consent) but not sent.
  if (!s.ended) step.send({ type: "feedback_rubric", turn, source: "model", model: result.model, scores });
}

/**
 * What the report keeps of a rubric: each surviving criterion's score and its quote, short as
 * the report's other quotes (the state holds 50 answers' scores; the stored rubric has it all).
 */
function compact(scores: RubricScores): NonNullable<AnswerScore["rubric"]> {
  const out: NonNullable<AnswerScore["rubric"]> = {};
  for (const [criterion, item] of Object.entries(scores) as [RubricCriterion, RubricScores[RubricCriterion]][]) {
    if (item) out[criterion] = { score: item.score, quote: quote(item.quote, { from: 0, to: item.quote.length }) };
  }
  return out;
}
