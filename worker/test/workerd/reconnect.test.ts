/**
 * Lossless reconnect: every message of a session carries `seq` (the test socket fails on a
 * gap or a repeat); a client resuming with `?lastSeq=N` gets every message after N, in order,
 * exactly once, right after `session_resumed`, then live traffic, also after the object was
 * evicted; client message ids make a re-sent message an acknowledgement, not a second answer;
 * the resume token can travel as a subprotocol instead of in the URL.
 */
import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { INTERVIEW_SUBPROTOCOL } from "../../src/durable/socket-subprotocol.ts";
import { connect, interviewOf, startInterview, upgrade, type TestSocket } from "./socket-client.ts";
import { recordedBy } from "./recorded.ts";

const ANSWER = "I split the monolith's billing module out and cut deploy time from 40 to 9 minutes.";

const resumeUrl = (sessionId: string, token: string, lastSeq: number) =>
  `?session=${sessionId}&token=${encodeURIComponent(token)}&lastSeq=${lastSeq}`;

/** Reconnects, takes `session_resumed`, and returns the socket continuing from `lastSeq`. */
async function resume(started: { session_id: string; resumeToken: string }, lastSeq: number): Promise<{ socket: TestSocket; resumed: Record<string, unknown> }> {
  const socket = await connect(resumeUrl(started.session_id, started.resumeToken, lastSeq), {}, lastSeq);
  const resumed = await socket.next("session_resumed");
  return { socket, resumed };
}

describe("sequence numbers", () => {
  it("number every message of a session from session_started on, 1, 2, 3, ...; a restart starts again at 1", async () => {
    const { socket } = await startInterview({ consent: true });
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("interviewer_message");
    socket.send({ type: "ping" });
    await socket.next("pong");
    socket.send({ type: "checkin", confidence: 5, stress: 2 });
    await socket.next("checkin_logged");
    expect(socket.numbered.map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(socket.numbered.map((f) => f.type)).toEqual(["session_started", "question", "tips", "feedback", "question", "interviewer_message", "pong", "checkin_logged"]);
    socket.send({ type: "start_session" });
    await socket.next("session_started");
    expect(socket.numbered.at(-1)).toMatchObject({ type: "session_started", seq: 1 });
    socket.close();
  });
});

describe("resume with lastSeq", () => {
  it("replays what a dropped client missed (between tips and question), once, in order, then goes on live", async () => {
    const { socket, started } = await startInterview({ consent: true });
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.next("tips");
    const lastSeen = socket.lastSeq!; // feedback, the question and interviewer_message were sent but not read
    socket.close();

    const { socket: again, resumed } = await resume(started, lastSeen);
    expect(resumed).toMatchObject({ turn: 1, awaitingFollowUp: true, lastSeq: lastSeen + 3 });
    const replayed = await again.collectUntil("interviewer_message");
    expect(replayed.map((f) => f.type)).toEqual(["question", "interviewer_message"]);
    expect(replayed[0]).toMatchObject({ source: "follow_up", turn: 1 });
    await again.expectSilence();
    again.send({ type: "user_answer", answer: "My part was the rollout: 3 stages behind a flag." });
    expect((await again.collectUntil("question")).map((f) => f.type)).toEqual(["tips", "question"]);
    // Replayed: feedback, question, interviewer_message; then live: tips, feedback, question.
    expect(again.lastSeq).toBe(lastSeen + 6);
    again.close();
  });

  it("replays from storage after the object was evicted", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const lastSeen = socket.lastSeq!; // session_started, question
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("interviewer_message");
    await evictDurableObject(interviewOf(started.resumeToken), { webSockets: "close" });

    const { socket: again } = await resume(started, lastSeen);
    expect((await again.collectUntil("interviewer_message")).map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    await again.expectSilence();
    again.close();
  });

  it("with lastSeq at the latest message replays nothing; without lastSeq behaves as before (no replay)", async () => {
    const { socket, started } = await startInterview({});
    socket.send({ type: "ping" });
    await socket.next("pong");
    const { socket: upToDate } = await resume(started, socket.lastSeq!);
    await upToDate.expectSilence();
    upToDate.close();
    const legacy = await connect(`?session=${started.session_id}&token=${encodeURIComponent(started.resumeToken)}`);
    await legacy.next("session_resumed");
    await legacy.expectSilence();
    legacy.close();
  });

  it("refuses a malformed lastSeq with 400 before accepting the socket", async () => {
    const { socket, started } = await startInterview({});
    const response = await upgrade(`?session=${started.session_id}&token=${encodeURIComponent(started.resumeToken)}&lastSeq=-1`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed" });
    socket.close();
  });
});

describe("client message ids", () => {
  it("acknowledge a message with an id before its replies, and a re-sent id again without applying it twice", async () => {
    const { socket, started } = await startInterview({ consent: true });
    socket.send({ type: "user_answer", id: "answer-1", answer: ANSWER });
    const first = await socket.collectUntil("interviewer_message");
    expect(first.map((f) => f.type)).toEqual(["ack", "tips", "question", "interviewer_message"]);
    expect(first[0]).toEqual({ type: "ack", id: "answer-1", duplicate: false });
    socket.close();

    // After a reconnect the client cannot tell whether its answer landed: it sends it again.
    const { socket: again } = await resume(started, socket.lastSeq!);
    again.send({ type: "user_answer", id: "answer-1", answer: ANSWER });
    expect(await again.next("ack")).toEqual({ type: "ack", id: "answer-1", duplicate: true });
    await again.expectSilence();
    again.send({ type: "switch_style", id: "style-1", style: "cold" });
    expect((await again.collectUntil("question")).map((f) => f.type)).toEqual(["ack", "style_switched", "question"]);
    again.send({ type: "switch_style", id: "style-1", style: "cold" });
    expect(await again.next("ack")).toMatchObject({ duplicate: true });

    const answers = (await recordedBy(interviewOf(started.resumeToken), started.session_id)).filter((r) => r.kind === "answer");
    expect(answers).toHaveLength(1);
    again.close();
  });

  it("a message without an id behaves as before: sent twice, it is two answers", async () => {
    const { socket } = await startInterview({});
    socket.send({ type: "user_answer", answer: ANSWER });
    expect((await socket.collectUntil("interviewer_message"))[0]).toMatchObject({ type: "tips", turn: 1 });
    socket.send({ type: "user_answer", answer: ANSWER });
    expect((await socket.collectUntil("question"))[0]).toMatchObject({ type: "tips", turn: 2 });
    socket.close();
  });
});

describe("the resume token as a subprotocol", () => {
  const offer = (...protocols: string[]) => ({ "Sec-WebSocket-Protocol": protocols.join(", ") });

  it("resumes by the token alone, answering with interview.v1, and replays after lastSeq", async () => {
    const { socket, started } = await startInterview({ consent: true });
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.next("tips");
    const lastSeen = socket.lastSeq!;
    socket.close();

    const response = await upgrade(`?lastSeq=${lastSeen}`, offer(INTERVIEW_SUBPROTOCOL, `resume.${started.resumeToken}`));
    expect(response.status).toBe(101);
    expect(response.headers.get("Sec-WebSocket-Protocol")).toBe(INTERVIEW_SUBPROTOCOL);
    const again = await connect(`?lastSeq=${lastSeen}`, offer(INTERVIEW_SUBPROTOCOL, `resume.${started.resumeToken}`), lastSeen);
    expect(await again.next("session_resumed")).toMatchObject({ session_id: started.session_id, turn: 1 });
    expect((await again.collectUntil("interviewer_message")).map((f) => f.type)).toEqual(["question", "interviewer_message"]);
    again.close();
  });

  it("refuses a wrong token (403) and an ended session (409); interview.v1 alone starts a new interview", async () => {
    const { socket, started } = await startInterview({ maxQuestions: 1 });
    const [objectId] = started.resumeToken.split(".");
    expect((await upgrade("", offer(INTERVIEW_SUBPROTOCOL, `resume.${objectId}.wrong`))).status).toBe(403);
    expect((await upgrade("", offer(INTERVIEW_SUBPROTOCOL, "resume.not-a-token"))).status).toBe(403);
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("session_ended");
    expect((await upgrade("", offer(INTERVIEW_SUBPROTOCOL, `resume.${started.resumeToken}`))).status).toBe(409);

    const fresh = await upgrade("", offer(INTERVIEW_SUBPROTOCOL));
    expect(fresh.status).toBe(101);
    expect(fresh.headers.get("Sec-WebSocket-Protocol")).toBe(INTERVIEW_SUBPROTOCOL);
    fresh.webSocket!.accept();
    fresh.webSocket!.close();
  });
});
