/**
 * Durability of an interview: resuming with the resume token (and refusing anything else),
 * surviving eviction of the Durable Object with its socket hibernated or closed, and the
 * idle time limit driven by the object's alarm. What this does not cover: a real
 * production hibernation (workerd's eviction helper stands in for it).
 */
import { describe, expect, it } from "vitest";
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { REPLICATION_FLUSH_MS } from "../../src/durable/interview-session.ts";
import { connect, startInterview, upgrade, interviewOf } from "./socket-client.ts";


const resumeQuery = (sessionId: string, token: string) =>
  `?session=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`;

describe("resume", () => {
  it("a reconnect with the token gets session_resumed with the current question, and turns continue", async () => {
    const { socket, started } = await startInterview({ style: "supportive", maxQuestions: 10 });
    socket.send({ type: "user_answer", answer: "I rebuilt our deploy pipeline and cut release time from 2 hours to 15 minutes." });
    const [, followUp] = await socket.collectUntil("interviewer_message");
    socket.close();
    await socket.waitClosed();

    const again = await connect(resumeQuery(started.session_id, started.resumeToken));
    const resumed = await again.next("session_resumed");
    expect(resumed).toMatchObject({
      session_id: started.session_id,
      turn: 1,
      style: "supportive",
      maxQuestions: 10,
      awaitingFollowUp: true,
      groupAssignment: "server",
      question: followUp,
      secondsLeft: null,
    });
    again.send({ type: "user_answer", answer: "I owned the pipeline design end to end." });
    const frames = await again.collectUntil("question");
    expect(frames.map((f) => f.type)).toEqual(["tips", "question"]);
    expect(frames[0]).toMatchObject({ turn: 2 });
    expect(frames[1]).toMatchObject({ turn: 2, source: "fallback" });
    again.close();
  });

  it("refuses a missing token (401), a wrong token, another session's token or garbage (403)", async () => {
    const a = await startInterview();
    const b = await startInterview();
    const id = a.started.session_id;
    const [objectId] = a.started.resumeToken.split(".");
    expect((await upgrade(`?session=${id}`)).status).toBe(401);
    expect((await upgrade(`?token=${encodeURIComponent(a.started.resumeToken)}`)).status).toBe(401);
    expect((await upgrade(resumeQuery(id, `${objectId}.wrong-secret`))).status).toBe(403);
    expect((await upgrade(resumeQuery(id, b.started.resumeToken))).status).toBe(403);
    expect((await upgrade(resumeQuery(b.started.session_id, a.started.resumeToken))).status).toBe(403);
    expect((await upgrade(resumeQuery(id, "not-a-token"))).status).toBe(403);
    expect((await upgrade(resumeQuery(id, `${"f".repeat(64)}.x`))).status).toBe(403);
    const body = await (await upgrade(resumeQuery(id, `${objectId}.wrong-secret`))).json();
    expect(body).toMatchObject({ code: "forbidden" });
    a.socket.close();
    b.socket.close();
  });

  it("a resume replaces the old connection, which is closed with 4001", async () => {
    const { socket, started } = await startInterview();
    const again = await connect(resumeQuery(started.session_id, started.resumeToken));
    await again.next("session_resumed");
    expect((await socket.waitClosed()).code).toBe(4001);
    again.send({ type: "ping" });
    await again.next("pong");
    again.close();
  });

  it("an ended session cannot be resumed (409)", async () => {
    const { socket, started } = await startInterview({ maxQuestions: 1 });
    socket.send({ type: "user_answer", answer: "Done." });
    await socket.next("tips");
    await socket.next("session_ended");
    const response = await upgrade(resumeQuery(started.session_id, started.resumeToken));
    expect(response.status).toBe(409);
  });
});

describe("eviction", () => {
  it("a hibernated socket continues exactly where it was after the object is evicted", async () => {
    const { socket, started } = await startInterview({ style: "cold" });
    socket.send({ type: "user_answer", answer: "We shipped it in two weeks and cut costs by 30%." });
    await socket.collectUntil("interviewer_message");
    await evictDurableObject(interviewOf(started.resumeToken));
    socket.send({ type: "user_answer", answer: "I chose the vendor after comparing three options." });
    const frames = await socket.collectUntil("question");
    expect(frames.map((f) => [f.type, (f as { turn?: number }).turn])).toEqual([
      ["tips", 2],
      ["question", 2],
    ]);
    expect(frames[1]).toMatchObject({ style: "cold", source: "fallback" });
    socket.close();
  });

  it("after eviction closes the socket, a resume finds the stored state", async () => {
    const { socket, started, question } = await startInterview({ pack: "leadership" });
    await evictDurableObject(interviewOf(started.resumeToken), { webSockets: "close" });
    await socket.waitClosed();
    const again = await connect(resumeQuery(started.session_id, started.resumeToken));
    const resumed = await again.next("session_resumed");
    expect(resumed).toMatchObject({ turn: 0, pack: "leadership", question });
    again.close();
  });
});

describe("time limit", () => {
  it("schedules the alarm at the deadline and ends an idle session when it fires", async () => {
    const { socket, started } = await startInterview({ durationSeconds: 30, style: "supportive" });
    const stub = interviewOf(started.resumeToken);
    // First the flush of the session's records to D1, then the deadline.
    const flushAt = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(flushAt!).toBeLessThanOrEqual(Date.now() + REPLICATION_FLUSH_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await socket.expectSilence();
    const [alarmAt, deadline] = await runInDurableObject(stub, async (_instance, state) => [
      await state.storage.getAlarm(),
      (JSON.parse(state.storage.kv.get<string>("state")!) as { session: { deadline: number; startedAt: number } }).session,
    ] as const);
    expect(deadline.deadline).toBe(deadline.startedAt + 30_000);
    expect(alarmAt).toBe(deadline.deadline);

    // Move the deadline into the past instead of waiting 30 s.
    await runInDurableObject(stub, (instance, state) => {
      const stored = JSON.parse(state.storage.kv.get<string>("state")!) as { session: { deadline: number } };
      stored.session.deadline = Date.now() - 1;
      state.storage.kv.put("state", stored);
      (instance as unknown as { state: typeof stored }).state = stored;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const ended = await socket.next("session_ended");
    expect(ended).toMatchObject({ session_id: started.session_id, reason: "time_limit", turn: 0 });
    expect((await socket.waitClosed()).code).toBe(1000);
  });

  it("an alarm before the deadline changes nothing and re-arms", async () => {
    const { socket, started } = await startInterview({ durationSeconds: 600 });
    const stub = interviewOf(started.resumeToken);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await socket.expectSilence();
    const alarmAt = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    socket.close();
  });
});
