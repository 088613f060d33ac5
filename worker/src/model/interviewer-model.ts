/**
 * The port through which the interview consults a language model. The engine asks for what
 * a turn needs (coaching, a next question, a clarification) in one ConsultRequest and fills
 * anything the model leaves out with its own heuristics, so an implementation may return
 * nothing at all, and must never throw: failures come back as missing parts.
 */
import type { ConsultRequest, ConsultResult, RubricRequest, RubricResult } from "../engine/types.ts";

export interface ConsultHooks {
  /** Aborted when the turn is abandoned (socket replaced, session restarted). */
  signal: AbortSignal;
  /** Streams the next question as it is generated, when the session opted in. */
  onQuestionDelta?: (delta: string) => void;
  /** The streamed question's call ended: the question it gave (as `result.question` will), or null. */
  onQuestionDone?: (question: string | null) => void;
}

export interface InterviewerModel {
  readonly name: string;
  consult(request: ConsultRequest, hooks: ConsultHooks): Promise<ConsultResult>;
  /**
   * The whole result at once, without I/O, when the model already knows it will not call
   * out (no model, or its circuit is open for every call the request needs); else null.
   * Lets the interview finish such a turn in the same step, with one storage commit.
   */
  consultNow?(request: ConsultRequest): ConsultResult | null;
  /**
   * The rubric for one answer (README, Coaching: "With the model"), asked beside the turn's
   * consult and never awaited by it. Absent: no rubric. Never throws.
   */
  rubric?(request: RubricRequest, signal: AbortSignal): Promise<RubricResult>;
}

/** No model configured: every part comes from the engine's heuristics. */
export const heuristicsOnly: InterviewerModel = {
  name: "heuristics",
  async consult(_request, _hooks) {
    return {};
  },
  consultNow(_request) {
    return {};
  },
};
