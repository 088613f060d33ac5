/**
 * Asking the interviewer model: building a ConsultRequest, parking the turn until the answer
 * comes back, and the server-side telemetry of each model call.
 */
import { HISTORY_PAIRS_FOR_LLM } from "@interview/shared";
import type { Step } from "./step.ts";
import type { ConsultRequest, LlmCallReport, PendingConsult, SessionState } from "./types.ts";

export function consultRequest(
  step: Step,
  s: SessionState,
  parts: Pick<ConsultRequest, "coaching" | "nextQuestion" | "clarification">,
): ConsultRequest {
  const id = step.state.nextConsultId;
  step.state.nextConsultId += 1;
  return {
    id,
    sessionId: s.id,
    turn: s.turn,
    style: s.style,
    pack: s.pack,
    difficulty: s.difficulty,
    history: s.history.slice(-HISTORY_PAIRS_FOR_LLM),
    stream: s.stream,
    ...parts,
  };
}

export function park(step: Step, pending: PendingConsult): void {
  step.state.pending = pending;
  step.effects.push({ kind: "consult", request: pending.request });
}

export function nextQuestionContext(s: SessionState): NonNullable<ConsultRequest["nextQuestion"]> {
  return { previousQuestion: s.lastQuestion?.question ?? null, mainQuestionIndex: s.mainQuestionCount };
}

/** Server-side latency telemetry for one model call (docs/decisions.md: the server measures itself). */
export function recordLlmCall(step: Step, s: SessionState, call: LlmCallReport, turn = s.turn): void {
  step.telemetry(
    s,
    "llm_call",
    {
      turn,
      purpose: call.purpose,
      model: call.model,
      outcome: call.outcome,
      latency_ms: call.latencyMs,
      ttft_ms: call.ttftMs,
      attempts: call.attempts,
      status: call.status,
      streamed: call.streamed,
      ...(call.detail ? { detail: call.detail } : {}),
    },
    call.latencyMs,
  );
}

export function nonEmpty(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}
