/**
 * A turn parked on the model when the object is evicted is finished: by the rescue alarm if
 * the candidate sends nothing, or right after `session_resumed` when they reconnect. Also the
 * adapter's own deadline check on a late frame. The orphan is made by storing the engine's
 * parked state directly, since a real eviction mid-fetch cannot be timed in a test.
 */
import { describe, expect, it } from "vitest";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { reduce } from "../../src/engine/engine.ts";
import type { InterviewState } from "../../src/engine/types.ts";
import { connect, startInterview, interviewOf } from "./socket-client.ts";


/** Stores the state the engine is in right after receiving `answer`, before the model replies. */
async function parkAnswer(stub: DurableObjectStub, answer: string): Promise<void> {
  await runInDurableObject(stub, async (instance, state) => {
    const stored = JSON.parse(state.storage.kv.get<string>("state")!) as InterviewState;
    const parked = reduce(stored, { kind: "message", message: { type: "user_answer", answer, metrics: {} } }, { now: Date.now(), random: Math.random }).state;
    expect(parked.pending?.kind).toBe("answer");
    state.storage.kv.put("state", parked);
    (instance as unknown as { state: InterviewState }).state = parked;
    await state.storage.setAlarm(Date.now() + 15_000);
  });
}

describe("orphaned turns", () => {
  it("the rescue alarm finishes a parked turn on the hibernated socket", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    await parkAnswer(stub, "I cut our cloud bill by 20% by right-sizing instances.");
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const frames = await socket.collectUntil("interviewer_message");
    expect(frames.map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    expect(frames[0]).toMatchObject({ turn: 1 });
    // Finished once: nothing parked is left, so the next answer is turn 2.
    socket.send({ type: "user_answer", answer: "I owned the analysis and the rollout." });
    expect((await socket.next("tips")).turn).toBe(2);
    socket.close();
  });

  it("a resume after eviction gets session_resumed first, then the parked turn's replies", async () => {
    const { socket, started } = await startInterview();
    const stub = interviewOf(started.resumeToken);
    await parkAnswer(stub, "We moved the team to trunk-based development.");
    await evictDurableObject(stub, { webSockets: "close" });
    await socket.waitClosed();
    const again = await connect(`?session=${started.session_id}&token=${encodeURIComponent(started.resumeToken)}`);
    const frames = await again.collectUntil("interviewer_message");
    expect(frames.map((f) => f.type)).toEqual(["session_resumed", "tips", "question", "interviewer_message"]);
    expect(frames[0]).toMatchObject({ turn: 1, awaitingFollowUp: false });
    again.close();
  });

  it("an alarm while nothing is parked and no deadline is set does nothing and clears itself", async () => {
    const { socket, started } = await startInterview();
    const stub = interviewOf(started.resumeToken);
    await runInDurableObject(stub, (_i, state) => state.storage.setAlarm(Date.now() + 60_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await socket.expectSilence();
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    socket.close();
  });
});

describe("the adapter's deadline check", () => {
  it("a frame after the deadline ends the session with time_limit instead of being answered", async () => {
    const { socket, started } = await startInterview({ durationSeconds: 30 });
    await runInDurableObject(interviewOf(started.resumeToken), (instance, state) => {
      const stored = JSON.parse(state.storage.kv.get<string>("state")!) as InterviewState;
      stored.session!.deadline = Date.now() - 1;
      state.storage.kv.put("state", stored);
      (instance as unknown as { state: InterviewState }).state = stored;
    });
    socket.send({ type: "user_answer", answer: "Late answer." });
    expect(await socket.next("session_ended")).toMatchObject({ reason: "time_limit", turn: 0 });
    expect((await socket.waitClosed()).code).toBe(1000);
  });

  it("a frame right behind start_session is judged against the session it started", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    socket.send({ type: "start_session", consent: true });
    socket.send({ type: "user_answer", answer: "Straight away." });
    const frames = await socket.collectUntil("interviewer_message");
    expect(frames.map((f) => f.type)).toEqual(["session_started", "question", "tips", "question", "interviewer_message"]);
    socket.close();
  });
});
