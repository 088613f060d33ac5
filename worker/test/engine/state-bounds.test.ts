/**
 * What an interview object keeps of a session in its state stays bounded however long the
 * session runs (README, "Storage bounds per session"): the last 64 client message ids, the last
 * 4 question/answer pairs, the coaching scores of the last 50 answers, at most 24 custom
 * questions. Driven through the reducer with no question or time limit, the longest session a
 * client can ask for.
 */
import { describe, expect, it } from "vitest";
import { CUSTOM_QUESTIONS_MAX_ITEMS, HISTORY_PAIRS_KEPT } from "@interview/shared";
import { initialState, reduce, CLIENT_IDS_KEPT } from "../../src/engine/engine.ts";
import { SCORES_KEPT } from "../../src/engine/answer-turn.ts";
import type { EngineEvent, InterviewState, StartMint } from "../../src/engine/types.ts";

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
