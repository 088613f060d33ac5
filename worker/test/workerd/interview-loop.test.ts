/**
 * The interview over a real WebSocket through the Worker into the Durable Object: the
 * seed's message order, turn numbering, the main/follow-up alternation and the end of a
 * session. Rules of content (tips, intents) are covered by the engine's unit tests.
 */
import { describe, expect, it } from "vitest";
import { connect, startInterview } from "./socket-client.ts";

describe("interview loop", () => {
  it("sends session_ready on connect, with a session id and the neutral style", async () => {
    const socket = await connect();
    const ready = await socket.next("session_ready");
    expect(ready.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ready.style).toBe("neutral");
    socket.close();
  });

  it("starts a session with a new id, echoes the options and asks the first question", async () => {
    const socket = await connect();
    const ready = await socket.next("session_ready");
    socket.send({
      type: "start_session",
      style: "cold",
      group: "control",
      pack: "leadership",
      difficulty: "hard",
      maxQuestions: "4",
      durationSeconds: 5,
      consent: true,
      customQuestions: ["- Why us", "why us?", "  "],
    });
    const started = await socket.next("session_started");
    expect(started.session_id).not.toBe(ready.session_id);
    expect(started).toMatchObject({
      style: "cold",
      turn: 0,
      group: "control",
      groupAssignment: "client",
      consent: true,
      pack: "leadership",
      difficulty: "hard",
      maxQuestions: 4,
      durationSeconds: 30,
      customQuestionCount: 1,
    });
    expect(started.resumeToken).toMatch(/^[0-9a-f]{64}\.[A-Za-z0-9_-]{43}$/);
    const question = await socket.next("question");
    expect(question).toEqual({ type: "question", turn: 0, question: "Why us?", style: "cold", source: "custom", preface: null });
    socket.close();
  });

  it("answers with tips, then a follow-up question and interviewer_message, then a main question", async () => {
    const { socket, question } = await startInterview({ group: "treatment" });
    expect(question.source).toBe("fallback");
    socket.send({ type: "user_answer", answer: "I led a migration that cut p99 latency by 40% for 2 million users." });
    const first = await socket.collectUntil("interviewer_message");
    expect(first.map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    const [tips, followUp, said] = first as [any, any, any];
    expect(tips.turn).toBe(1);
    expect(tips.items.length).toBeGreaterThanOrEqual(1);
    expect(tips.items.length).toBeLessThanOrEqual(2);
    expect(followUp).toMatchObject({ turn: 1, source: "follow_up", style: "neutral" });
    expect(said).toEqual({ type: "interviewer_message", turn: 1, style: "neutral", message: followUp.question });

    socket.send({ type: "user_answer", answer: "My part was the rollout plan and the canary checks." });
    const second = await socket.collectUntil("question");
    expect(second.map((f) => f.type)).toEqual(["tips", "question"]);
    expect(second[1]).toMatchObject({ turn: 2, source: "fallback" });
    // Fallback rotation by main-question count: the second main question is item 1, not 2.
    expect((second[1] as any).question).not.toBe(question.question);
    await socket.expectSilence();
    socket.close();
  });

  it("ends after maxQuestions answers, follow-ups included: tips, session_ended, close", async () => {
    const { socket, started } = await startInterview({ maxQuestions: 2, style: "supportive" });
    socket.send({ type: "user_answer", answer: "First answer with some detail about the project." });
    await socket.collectUntil("interviewer_message");
    socket.send({ type: "user_answer", answer: "Second answer." });
    const tips = await socket.next("tips");
    expect(tips.turn).toBe(2);
    const ended = await socket.next("session_ended");
    expect(ended).toMatchObject({ session_id: started.session_id, turn: 2, reason: "max_questions" });
    expect(typeof ended.message).toBe("string");
    expect((await socket.waitClosed()).code).toBe(1000);
  });

  it("answers ping with pong, with or without a session", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    socket.close();
  });

  it("switch_style confirms, then asks a new main question in the new style without changing the turn", async () => {
    const { socket } = await startInterview();
    socket.send({ type: "switch_style", style: "cold" });
    expect(await socket.next("style_switched")).toEqual({ type: "style_switched", style: "cold" });
    const question = await socket.next("question");
    expect(question).toMatchObject({ turn: 0, style: "cold", source: "fallback", preface: null });
    socket.close();
  });

  it("logs check-ins and takes telemetry silently", async () => {
    const { socket } = await startInterview({ consent: true });
    socket.send({ type: "checkin", confidence: "4", stress: 2.9 });
    expect(await socket.next("checkin_logged")).toEqual({ type: "checkin_logged" });
    socket.send({ type: "telemetry", event: "latency", latencyMs: 812, data: { turn: 1 } });
    await socket.expectSilence();
    socket.close();
  });

  it("a second start_session on the same socket starts a new session with defaults", async () => {
    const { socket, started } = await startInterview({ style: "cold", pack: "leadership" });
    socket.send({ type: "start_session", style: "bogus", pack: "nope" });
    const again = await socket.next("session_started");
    expect(again.session_id).not.toBe(started.session_id);
    expect(again).toMatchObject({ style: "neutral", pack: "swe_behavioral", turn: 0 });
    await socket.next("question");
    socket.close();
  });
});
