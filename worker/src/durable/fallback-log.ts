/**
 * One structured log line (JSON on console.warn) when a model call did not answer and the
 * heuristics did: a timeout, an HTTP error, unusable content, an open circuit, or a model
 * that threw. Healthy calls log nothing. The engine stays pure: the adapter logs what the
 * model's `llm_call` reports say.
 */
import type { LlmCallReport } from "../engine/types.ts";
import { requestIdField } from "../ops/request-context.ts";

export interface ModelFallbackLine {
  event: "model_fallback";
  /** The Worker's request id of the socket the turn came from (ops/request-context.ts), when there is one. */
  requestId?: string;
  sessionId: string | null;
  turn: number | null;
  purpose: LlmCallReport["purpose"] | null;
  model: string;
  outcome: LlmCallReport["outcome"] | "threw";
  attempts: number | null;
  status: number | null;
  latencyMs: number | null;
  detail?: string;
}

/** Logs one line per failed call of a consult; returns how many it logged. */
export function logModelFallbacks(sessionId: string | null, turn: number | null, calls: readonly LlmCallReport[] | undefined): number {
  let logged = 0;
  for (const call of calls ?? []) {
    if (call.outcome === "ok") continue;
    const line: ModelFallbackLine = {
      event: "model_fallback",
      ...requestIdField(),
      sessionId,
      turn,
      purpose: call.purpose,
      model: call.model,
      outcome: call.outcome,
      attempts: call.attempts,
      status: call.status,
      latencyMs: call.latencyMs,
      ...(call.detail ? { detail: call.detail } : {}),
    };
    console.warn(JSON.stringify(line));
    logged++;
  }
  return logged;
}

/** The model threw instead of reporting: the heuristics answer the whole consult. */
export function logModelThrew(sessionId: string | null, turn: number | null, model: string, error: unknown): void {
  const line: ModelFallbackLine = {
    event: "model_fallback",
    ...requestIdField(),
    sessionId,
    turn,
    purpose: null,
    model,
    outcome: "threw",
    attempts: null,
    status: null,
    latencyMs: null,
    detail: (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 200),
  };
  console.error(JSON.stringify(line));
}
