/**
 * The Durable Object's RPC entry points for work that arrives over HTTP: an answer submitted
 * outside the socket is handled like a socket answer (replies on the socket, right turn), and
 * the server's STT latency is stored for the session. The HTTP routes that call these are
 * tested with the speech worker in their own files.
 */
import { describe, expect, it } from "vitest";
import { MODEL_TURNS_PER_MINUTE } from "@interview/shared";
import { startInterview, interviewOf } from "./socket-client.ts";
import { recordedBy } from "./recorded.ts";


describe("InterviewSession RPC", () => {
  it("submitAnswer replies on the socket and reports the turn", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    const outcome = await stub.submitAnswer(started.session_id, "I rewrote the billing job and cut its runtime by 80%.", {
      speakingRate: 151,
      pauseRatio: 0.12,
      fillers: 1,
    });
    expect(outcome).toEqual({ ok: true, turn: 1 });
    const frames = await socket.collectUntil("interviewer_message");
    expect(frames.map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    const records = await recordedBy(stub, started.session_id);
    expect(records.find((r) => r.kind === "answer")).toMatchObject({ turn: 1, speakingRate: 151, pauseRatio: 0.12, fillers: 1 });
    socket.close();
  });

  it("submitAnswer refuses another session's id and an ended session", async () => {
    const { socket, started } = await startInterview({ maxQuestions: 1 });
    const stub = interviewOf(started.resumeToken);
    expect(await stub.submitAnswer("someone-else", "x", {})).toEqual({ ok: false, code: "not_found" });
    expect(await stub.submitAnswer(started.session_id, "Only answer.", {})).toEqual({ ok: true, turn: 1 });
    await socket.next("tips");
    await socket.next("session_ended");
    expect(await stub.submitAnswer(started.session_id, "After the end.", {})).toEqual({ ok: false, code: "session_ended" });
  });

  it("submitAnswer with the expected turn refuses a retry of the same upload (stale_turn)", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    expect(await stub.submitAnswer(started.session_id, "First upload.", {}, 0)).toEqual({ ok: true, turn: 1 });
    expect(await stub.submitAnswer(started.session_id, "First upload.", {}, 0)).toEqual({ ok: false, code: "stale_turn", turn: 1 });
    const answers = (await recordedBy(stub, started.session_id)).filter((r) => r.kind === "answer");
    expect(answers).toHaveLength(1);
    socket.close();
  });

  it("checkSession verifies the token against this object's current session", async () => {
    const { socket, started } = await startInterview({ maxQuestions: 1 });
    const stub = interviewOf(started.resumeToken);
    expect(await stub.checkSession(started.session_id, started.resumeToken)).toBe("ok");
    expect(await stub.checkSession(started.session_id, `${started.resumeToken}x`)).toBe("forbidden");
    expect(await stub.checkSession("other", started.resumeToken)).toBe("not_found");
    socket.send({ type: "user_answer", answer: "Only answer." });
    await socket.next("tips");
    await socket.next("session_ended");
    expect(await stub.checkSession(started.session_id, started.resumeToken)).toBe("session_ended");
  });

  it("recordSpeechLatency stores an stt row for the current session only", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "treatment" });
    const stub = interviewOf(started.resumeToken);
    await stub.recordSpeechLatency(started.session_id, 412.5, { language: "en", duration: 3.1 });
    await stub.recordSpeechLatency("someone-else", 1, {});
    const records = await recordedBy(stub, started.session_id);
    const stt = records.filter((r) => r.kind === "telemetry" && r.eventType === "stt");
    expect(stt).toEqual([expect.objectContaining({ latencyMs: 412.5, group: "treatment", payload: { language: "en", duration: 3.1 } })]);
    socket.close();
  });
});

describe("InterviewSession RPC under the model turn cap", () => {
  it("submitAnswer over the cap is refused with rate_limited and a retry time, and nothing is submitted", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    for (let turn = 0; turn < MODEL_TURNS_PER_MINUTE; turn++) {
      expect(await stub.submitAnswer(started.session_id, `Answer ${turn}: 3 services.`, {}, turn)).toEqual({ ok: true, turn: turn + 1 });
    }
    const refused = await stub.submitAnswer(started.session_id, "One too many.", {}, MODEL_TURNS_PER_MINUTE);
    expect(refused).toMatchObject({ ok: false, code: "rate_limited" });
    expect((refused as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
    const answers = (await recordedBy(stub, started.session_id)).filter((r) => r.kind === "answer");
    expect(answers).toHaveLength(MODEL_TURNS_PER_MINUTE);
    socket.close();
  });
});
