/**
 * Bad input of every kind the spec names gets an `error` frame with a code and the socket
 * stays open (docs/decisions.md, Fix). Each case is followed by a ping to prove the socket lives.
 */
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, RATE_LIMIT_BURST } from "@interview/shared";
import { connect, startInterview, type TestSocket } from "./socket-client.ts";

async function expectErrorThenAlive(socket: TestSocket, frame: unknown, code: string, message?: string) {
  socket.send(frame);
  const error = await socket.next("error");
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toBe(message);
  socket.send({ type: "ping" });
  await socket.next("pong");
}

describe("envelope errors on a live socket", () => {
  it.each([
    ["not json", "invalid_json", "Payload must be JSON"],
    ["[1]", "not_object", "Payload must be a JSON object"],
    [JSON.stringify({ kind: "x" }), "invalid_type", "Message type must be a string."],
    [JSON.stringify({ type: "hello" }), "unknown_type", "Unrecognized message type: hello"],
  ])("%s", async (frame, code, message) => {
    const socket = await connect();
    await socket.next("session_ready");
    await expectErrorThenAlive(socket, frame, code, message);
    socket.close();
  });

  it("binary frames and frames over 64 KiB get errors, not a dropped socket", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    await expectErrorThenAlive(socket, new Uint8Array([0xde, 0xad]), "binary_frame");
    await expectErrorThenAlive(socket, { type: "user_answer", answer: "x".repeat(MAX_FRAME_BYTES) }, "too_large");
    socket.close();
  });
});

describe("session-bound messages before start_session", () => {
  it.each([
    [{ type: "user_answer", answer: "hi" }],
    [{ type: "user_clarification", question: "what?" }],
    [{ type: "switch_style", style: "cold" }],
    [{ type: "checkin", confidence: 3, stress: 3 }],
    [{ type: "telemetry", event: "latency", latencyMs: 3 }],
    [{ type: "user_answer", answer: null }],
    [{ type: "switch_style", style: "angry" }],
    [{ type: "checkin", confidence: "high" }],
  ])("%j answers no_session", async (frame) => {
    const socket = await connect();
    await socket.next("session_ready");
    await expectErrorThenAlive(socket, frame, "no_session");
    socket.close();
  });
});

describe("message validation inside a session", () => {
  it("null answer, bad metrics, non-numeric check-in, bad style leave the turn unchanged", async () => {
    const { socket } = await startInterview();
    await expectErrorThenAlive(socket, { type: "user_answer", answer: null }, "invalid_message");
    await expectErrorThenAlive(socket, { type: "user_answer", answer: "x", metrics: { gaze: "left" } }, "invalid_message");
    await expectErrorThenAlive(socket, { type: "checkin", confidence: "very", stress: 1 }, "invalid_message");
    await expectErrorThenAlive(socket, { type: "checkin", confidence: 11, stress: 1 }, "invalid_message");
    await expectErrorThenAlive(socket, { type: "checkin", group: "vip", confidence: 1, stress: 1 }, "invalid_group");
    await expectErrorThenAlive(socket, { type: "switch_style", style: "angry" }, "invalid_style");
    await expectErrorThenAlive(socket, { type: "switch_style" }, "invalid_style");
    // Nothing above advanced the interview: the next answer is still turn 1.
    socket.send({ type: "user_answer", answer: "A real answer at last." });
    expect((await socket.next("tips")).turn).toBe(1);
    socket.close();
  });

  it("telemetry naming a server-reserved event is refused", async () => {
    const { socket } = await startInterview();
    for (const event of ["stt", "session_meta", "question", "tips", "assignment", "Turn_Latency "]) {
      await expectErrorThenAlive(socket, { type: "telemetry", event, latencyMs: 1 }, "reserved_event");
    }
    socket.close();
  });

  it("start_session with a group outside the study is refused and starts nothing", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    await expectErrorThenAlive(socket, { type: "start_session", group: "vip" }, "invalid_group");
    await expectErrorThenAlive(socket, { type: "user_answer", answer: "x" }, "no_session");
    socket.close();
  });

  it("clarifications: empty text, then a real one", async () => {
    const { socket, question } = await startInterview({ style: "cold" });
    await expectErrorThenAlive(socket, { type: "user_clarification", question: "   " }, "empty_clarification", "Clarification question is empty.");
    socket.send({ type: "user_clarification", text: "Can you just give me a sample answer?" });
    const guarded = await socket.next("clarification");
    expect(guarded).toMatchObject({ turn: 0, style: "cold", source: "guardrail" });
    expect(guarded.message).toContain(`Original prompt: ${question.question}`);
    socket.send({ type: "user_clarification", clarification: "Does it have to be at work?" });
    const fallback = await socket.next("clarification");
    expect(fallback.source).toBe("fallback");
    expect(fallback.message.startsWith("Listen — ")).toBe(true);
    socket.close();
  });
});

describe("flood control", () => {
  it("throttles a client that floods, with an error per refused frame, and keeps the socket", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    const sent = RATE_LIMIT_BURST + 15;
    for (let i = 0; i < sent; i++) socket.send({ type: "ping" });
    const frames = [];
    for (let i = 0; i < sent; i++) frames.push(await socket.next());
    const limited = frames.filter((f) => f.type === "error" && f.code === "rate_limited").length;
    const pongs = frames.filter((f) => f.type === "pong").length;
    expect(limited).toBeGreaterThan(0);
    expect(pongs + limited).toBe(sent);
    expect(pongs).toBeGreaterThanOrEqual(RATE_LIMIT_BURST);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.send({ type: "ping" });
    expect((await socket.next()).type).toBe("pong");
    socket.close();
  });
});
