/**
 * Voice messages reach the socket through the engine (`announced`, `measured` with
 * `announce`), so they are numbered like its own and kept for replay; only for the current,
 * running session.
 */
import { describe, expect, it } from "vitest";
import { parseClientFrame, type ClientMessage } from "@interview/shared";
import { initialState, reduce } from "../../src/engine/engine.ts";
import type { EngineContext, Effect, InterviewState } from "../../src/engine/types.ts";

const ctx: EngineContext = { now: 1_000, random: () => 0 };

function started(consent: boolean): InterviewState {
  const parsed = parseClientFrame(JSON.stringify({ type: "start_session", consent, group: "control" }));
  if (!parsed.ok) throw new Error(parsed.message);
  const message = parsed.message as Extract<ClientMessage, { type: "start_session" }>;
  const mint = { sessionId: "s-1", objectId: "o-1", resumeToken: "t", resumeTokenHash: "h", arm: { participantId: "p-1", group: "control" as const, groupAssignment: "client" as const, clientGroup: "used" as const }, turnCap: null };
  return reduce(initialState("ready-id"), { kind: "start", message, mint }, ctx).state;
}

const sent = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "send" ? [e.message] : []));

describe("voice messages through the engine", () => {
  it("announced: sent with the next seq", () => {
    const state = started(false);
    const before = state.session!.sentSeq ?? 0;
    const t = reduce(state, { kind: "announced", sessionId: "s-1", message: { type: "no_speech", turn: 0 } }, ctx);
    expect(sent(t.effects)).toEqual([{ type: "no_speech", turn: 0, seq: before + 1 }]);
  });

  it("measured with announce: the message numbered, the measurement stored as telemetry (with consent)", () => {
    const state = started(true);
    const timing = { type: "turn_timing" as const, turn: 0, stages: { transcription: 120, model: 4, synthesis: 60 }, totalMs: 184 };
    const t = reduce(state, { kind: "measured", sessionId: "s-1", eventType: "turn_timing", latencyMs: 184, payload: { turn: 0 }, announce: timing }, ctx);
    expect(sent(t.effects)).toEqual([{ ...timing, seq: (state.session!.sentSeq ?? 0) + 1 }]);
    const rows = t.effects.flatMap((e) => (e.kind === "persist" && e.record.kind === "telemetry" ? [e.record] : []));
    expect(rows).toMatchObject([{ eventType: "turn_timing", latencyMs: 184, payload: { turn: 0 } }]);
  });

  it("another session's, or after the end: nothing is sent", () => {
    const state = started(false);
    expect(reduce(state, { kind: "announced", sessionId: "other", message: { type: "no_speech", turn: 0 } }, ctx).effects).toEqual([]);
    const ended: InterviewState = { ...state, session: { ...state.session!, ended: true } };
    expect(sent(reduce(ended, { kind: "announced", sessionId: "s-1", message: { type: "no_speech", turn: 0 } }, ctx).effects)).toEqual([]);
  });
});
