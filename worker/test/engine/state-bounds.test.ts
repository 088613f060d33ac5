/**
 * What an interview object keeps of a session in its state stays bounded however long the
 * session runs (README, "Storage bounds per session"): the last 64 client message ids, the last
 * 4 question/answer pairs, the coaching scores of the last 50 answers, at most 24 custom
 * questions; and it stores at most `SESSION_RECORDS_MAX` records, telling the client of each
 * one refused (`storage_full`). Driven through the reducer with no question or time limit, the
 * longest session a client can ask for.
 */
import { describe, expect, it } from "vitest";
import { CUSTOM_QUESTIONS_MAX_ITEMS, HISTORY_PAIRS_KEPT, SESSION_RECORDS_MAX, type ServerMessage } from "@interview/shared";
import { initialState, reduce, CLIENT_IDS_KEPT } from "../../src/engine/engine.ts";
import { SCORES_KEPT } from "../../src/engine/answer-turn.ts";
import type { Effect, EngineEvent, InterviewState, StartMint } from "../../src/engine/types.ts";

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);

function run(state: InterviewState, event: EngineEvent, now: number): InterviewState {
  const { state: next, effects } = reduce(state, event, { now, random: () => 0 });
  let out = next;
  // The model answers nothing: the heuristics reply, as with no NVIDIA key.
  for (const effect of effects) if (effect.kind === "consult") out = run(out, { kind: "consulted", requestId: effect.request.id, result: {} }, now);
  return out;
}

function longSession(customQuestions: string[] = []): InterviewState {
  const mint: StartMint = {
    sessionId: "s-bounds",
    objectId: "o-1",
    resumeToken: "o-1.secret",
    resumeTokenHash: "hash",
    arm: { participantId: "p-1", group: "treatment", groupAssignment: "server", clientGroup: null },
    turnCap: null,
  } as StartMint;
  // No maxQuestions, no durationSeconds: the session never ends by itself.
  return run(initialState("ready"), { kind: "start", message: { type: "start_session", consent: true, customQuestions } as never, mint }, T0);
}

describe("the session's state is bounded", () => {
  it(`keeps the last ${CLIENT_IDS_KEPT} client ids, ${HISTORY_PAIRS_KEPT} history pairs and ${SCORES_KEPT} answers' scores over 120 answers`, () => {
    let state = longSession();
    for (let i = 1; i <= 120; i++) {
      const message = { type: "user_answer", id: `answer-${i}`, answer: `In project ${i} I measured the queue and cut the wait by ${i} percent.`, metrics: {} };
      state = run(state, { kind: "message", message: message as never }, T0 + i * 60_000);
    }
    const session = state.session!;
    expect(session.ended).toBeFalsy();
    expect(session.turn).toBe(120);
    expect(session.appliedIds).toHaveLength(CLIENT_IDS_KEPT);
    expect(session.appliedIds!.at(-1)).toBe("answer-120");
    expect(session.history).toHaveLength(HISTORY_PAIRS_KEPT);
    expect(session.scores).toHaveLength(SCORES_KEPT);
    // A state this long still fits a Durable Object's storage value many times over.
    expect(JSON.stringify(state).length).toBeLessThan(128 * 1024);
  });

  it(`queues at most ${CUSTOM_QUESTIONS_MAX_ITEMS} custom questions`, () => {
    const asked = Array.from({ length: 60 }, (_, i) => `Tell me about challenge number ${i + 1}?`);
    const session = longSession(asked).session!;
    // The first is asked at once; the rest wait in the queue.
    expect(session.customQueue.length).toBe(CUSTOM_QUESTIONS_MAX_ITEMS - 1);
  });
});

describe(`a session's records stop at ${SESSION_RECORDS_MAX}`, () => {
  /** The session with `seq` (its record count) set to `stored`. */
  function filledTo(stored: number): InterviewState {
    const state = longSession();
    return { ...state, session: { ...state.session!, seq: stored } };
  }
  function frame(state: InterviewState, message: Record<string, unknown>): { state: InterviewState; effects: Effect[] } {
    return reduce(state, { kind: "message", message: message as never }, { now: T0 + 1_000, random: () => 0 });
  }
  const sent = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "send" ? [e.message as ServerMessage] : []));
  const persisted = (effects: Effect[]) => effects.filter((e) => e.kind === "persist");

  it("stores the last telemetry event that fits, then refuses the next with storage_full", () => {
    const last = frame(filledTo(SESSION_RECORDS_MAX - 1), { type: "telemetry", event: "latency", latencyMs: 5 });
    expect(persisted(last.effects)).toHaveLength(1);
    const refused = frame(last.state, { type: "telemetry", event: "latency", latencyMs: 5 });
    expect(persisted(refused.effects)).toEqual([]);
    expect(sent(refused.effects)).toMatchObject([{ type: "error", code: "storage_full" }]);
  });

  it("refuses a check-in (no checkin_logged) and keeps the interview going past an answer it cannot store", () => {
    const full = filledTo(SESSION_RECORDS_MAX);
    const checkin = frame(full, { type: "checkin", confidence: 3, stress: 4 });
    expect(persisted(checkin.effects)).toEqual([]);
    expect(sent(checkin.effects).map((m) => m.type)).toEqual(["error"]);
    expect(sent(checkin.effects)[0]).toMatchObject({ code: "storage_full" });
    const answered = run(full, { kind: "message", message: { type: "user_answer", answer: "I measured it and cut it by half.", metrics: {} } as never }, T0 + 1_000);
    expect(answered.session!.turn).toBe(full.session!.turn + 1);
    expect(answered.session!.seq).toBe(SESSION_RECORDS_MAX);
    const { effects } = reduce(full, { kind: "message", message: { type: "user_answer", answer: "Again.", metrics: {} } as never }, { now: T0 + 1_000, random: () => 0 });
    expect(persisted(effects)).toEqual([]);
    expect(sent(effects)[0]).toMatchObject({ type: "error", code: "storage_full" });
  });
});
