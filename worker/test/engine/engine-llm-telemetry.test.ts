/**
 * The engine turns the model adapter's call reports into `llm_call` telemetry rows, one per
 * call, before the turn's own telemetry, with the call's latency as the row's latencyMs.
 * Covers the pure reducer only; the adapter's measurements are tested in test/model.
 */
import { describe, expect, it } from "vitest";
import { parseClientFrame, type ClientMessage, type PersistRecord } from "@interview/shared";
import { initialState, reduce } from "../../src/engine/engine.ts";
import type { EngineContext, Effect, InterviewState, LlmCallReport } from "../../src/engine/types.ts";

const ctx: EngineContext = { now: 1_000, random: () => 0 };

function frame(body: Record<string, unknown>): ClientMessage {
  const parsed = parseClientFrame(JSON.stringify(body));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.message;
}

function started(consent: boolean): { state: InterviewState; requestId: number } {
  let state = initialState("ready-id");
  const message = frame({ type: "start_session", consent, group: "control" }) as Extract<ClientMessage, { type: "start_session" }>;
  const t = reduce(
    state,
    {
      kind: "start",
      message,
      mint: { sessionId: "s-1", objectId: "o-1", resumeToken: "t", resumeTokenHash: "h", arm: { participantId: "p-1", group: "control", groupAssignment: "client", clientGroup: "used" }, turnCap: null },
    },
    ctx,
  );
  state = t.state;
  const consult = t.effects.find((e): e is Extract<Effect, { kind: "consult" }> => e.kind === "consult");
  if (!consult) throw new Error("expected a consult for the first question");
  return { state, requestId: consult.request.id };
}

const telemetryOf = (effects: Effect[]) =>
  effects.flatMap((e) =>
    e.kind === "persist" && e.record.kind === "telemetry" ? [e.record as Extract<PersistRecord, { kind: "telemetry" }>] : [],
  );

const call = (over: Partial<LlmCallReport>): LlmCallReport => ({
  purpose: "question",
  model: "m",
  outcome: "ok",
  latencyMs: 420,
  ttftMs: 80,
  attempts: 1,
  status: 200,
  streamed: true,
  ...over,
});

describe("llm_call telemetry", () => {
  it("persists one llm_call row per reported call, before the question telemetry", () => {
    const { state, requestId } = started(true);
    const calls = [call({}), call({ purpose: "coaching", outcome: "timeout", latencyMs: 1200, ttftMs: null, status: null, detail: "deadline" })];
    const t = reduce(state, { kind: "consulted", requestId, result: { question: "Why this team?", calls } }, ctx);
    const rows = telemetryOf(t.effects);
    expect(rows.map((r) => r.eventType)).toEqual(["llm_call", "llm_call", "question"]);
    expect(rows[0]).toMatchObject({
      latencyMs: 420,
      group: "control",
      payload: { turn: 0, purpose: "question", model: "m", outcome: "ok", latency_ms: 420, ttft_ms: 80, attempts: 1, status: 200, streamed: true },
    });
    expect(rows[1]).toMatchObject({ latencyMs: 1200, payload: { purpose: "coaching", outcome: "timeout", ttft_ms: null, detail: "deadline" } });
    expect(rows[0]!.payload).not.toHaveProperty("detail");
    const question = t.effects.find((e) => e.kind === "send" && e.message.type === "question");
    expect(question).toMatchObject({ message: { source: "llm", question: "Why this team?" } });
  });

  it("writes nothing for a result without calls, and nothing for a stale request", () => {
    const { state, requestId } = started(true);
    const none = reduce(state, { kind: "consulted", requestId, result: {} }, ctx);
    expect(telemetryOf(none.effects).map((r) => r.eventType)).toEqual(["question"]);
    const stale = reduce(state, { kind: "consulted", requestId: requestId + 7, result: { calls: [call({})] } }, ctx);
    expect(stale.effects).toEqual([]);
  });

  it("keeps to the consent rule: without consent no telemetry row is written", () => {
    const { state, requestId } = started(false);
    const t = reduce(state, { kind: "consulted", requestId, result: { calls: [call({})] } }, ctx);
    expect(telemetryOf(t.effects)).toEqual([]);
  });
});
