/**
 * The interview with the NVIDIA model on, over a real WebSocket into the Durable Object, the
 * model played by the fake server (NVIDIA_LLM_TIMEOUT = 1 s here). Covers: model-written
 * content and `source: "llm"`, `llm_call` telemetry, parallel calls, each failure mode
 * (the turn completes with heuristic content, its `llm_call` telemetry says why — `timeout` at
 * the deadline, `http_error`, `invalid` — and the socket stays open), the circuit breaker, and
 * opt-in streaming. Prompt wording and parsing details are unit-tested in test/model.
 *
 * No elapsed-time bounds (a slow machine must not fail a test): parallel calls are shown by the
 * fake holding both replies until both calls arrived, "in time" by the outcome the calls report.
 * Turn times (parallel vs sequential, fallback at the deadline, circuit open) are printed by
 * `npm run bench -w @interview/worker`.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import type { PersistRecord } from "@interview/shared";
import { objectIdOf } from "../../src/durable/resume-token.ts";
import { recordedBy } from "./recorded.ts";
import { DEFAULT_CONTENT, type FakeReply } from "../fakes/fake-nvidia.ts";
import { fakeCalls, resetFake, scriptFake } from "./llm-fake-control.ts";
import { connect, startInterview as startPlain, type TestSocket } from "./socket-client.ts";

const FAKE_COACHING = JSON.parse(DEFAULT_CONTENT.coaching.json) as { follow_up: string; tips: unknown[] };
const ANSWER = "I moved our billing jobs to a queue; p99 dropped from 9 s to 400 ms for 30k users.";

beforeEach(() => resetFake());

/** Like the loop tests' helper, but a streaming session's deltas may precede the first question. */
async function startInterview(fields: Record<string, unknown>) {
  if (!fields.stream) return { ...(await startPlain(fields)), deltas: [] as string[] };
  const socket = await connect();
  await socket.next("session_ready");
  socket.send({ type: "start_session", ...fields });
  const started = await socket.next("session_started");
  const frames = await socket.collectUntil("question");
  const question = frames.at(-1) as Awaited<ReturnType<typeof startPlain>>["question"];
  const deltas = frames.flatMap((f) => (f.type === "interviewer_delta" ? [f.delta as string] : []));
  return { socket, started, question, deltas };
}

async function stillOpen(socket: TestSocket): Promise<void> {
  socket.send({ type: "ping" });
  await socket.next("pong");
  expect(socket.closed).toBeNull();
}

async function recordsOf(resumeToken: string, sessionId: string): Promise<PersistRecord[]> {
  return recordedBy(env.INTERVIEW.get(env.INTERVIEW.idFromString(objectIdOf(resumeToken)!)), sessionId);
}

type LlmCall = { purpose: string; outcome: string; detail?: string; attempts: number };

/** The session's `llm_call` telemetry payloads, in order (needs a consented session). */
async function llmCalls(started: Record<string, unknown>): Promise<LlmCall[]> {
  const rows = await recordsOf(started.resumeToken as string, started.session_id as string);
  return rows.flatMap((r) => (r.kind === "telemetry" && r.eventType === "llm_call" ? [r.payload as LlmCall] : []));
}

describe("interview with the NVIDIA model", () => {
  it("asks model-written questions (source llm), uses its follow-up and tips, and records llm_call telemetry", async () => {
    const { socket, question, started } = await startInterview({ group: "control", consent: true });
    expect(question).toMatchObject({ source: "llm", turn: 0 });
    expect(question.question).toMatch(/^Tell me about a time you changed a plan.*\?$/);

    socket.send({ type: "user_answer", answer: ANSWER, metrics: { speakingRate: 150 } });
    const [tips, followUp] = (await socket.collectUntil("interviewer_message")) as [any, any, any];
    expect(tips.items).toEqual(FAKE_COACHING.tips);
    expect(followUp).toMatchObject({ source: "follow_up", question: FAKE_COACHING.follow_up });

    socket.send({ type: "user_answer", answer: "I owned the rollout and the canary alarms." });
    const frames = await socket.collectUntil("question");
    expect(frames.map((f) => f.type)).toEqual(["tips", "question"]);
    expect(frames[1]).toMatchObject({ source: "llm", turn: 2 });

    const rows = (await recordsOf(started.resumeToken as string, started.session_id as string)).filter(
      (r): r is Extract<PersistRecord, { kind: "telemetry" }> => r.kind === "telemetry",
    );
    const llm = rows.filter((r) => r.eventType === "llm_call");
    expect(llm.map((r) => (r.payload as { purpose: string }).purpose).sort()).toEqual(["coaching", "coaching", "question", "question"]);
    for (const row of llm) {
      expect(row.payload).toMatchObject({ outcome: "ok", model: "test/fake-model", attempts: 1, status: 200 });
      expect(row.latencyMs).toBe((row.payload as { latency_ms: number }).latency_ms);
    }
    await stillOpen(socket);
    socket.close();
  });

  it("runs coaching and the next question in parallel: both calls are in flight at once", async () => {
    const { socket } = await startInterview({ group: "control" });
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("interviewer_message");
    await resetFake();
    // The fake answers neither call before both have arrived: calls made one after the other
    // would never get the first reply, end at the deadline, and the heuristics would answer.
    await scriptFake([{ reply: { awaitCalls: 2 } }]);
    socket.send({ type: "user_answer", answer: "I wrote the runbook." });
    const frames = await socket.collectUntil("question");
    expect(frames.map((f) => f.type)).toEqual(["tips", "question"]);
    expect((frames[0] as unknown as { items: unknown }).items).toEqual(FAKE_COACHING.tips);
    expect(frames.at(-1)).toMatchObject({ source: "llm" });
    const calls = await fakeCalls();
    expect(calls.map((c) => c.purpose).sort()).toEqual(["coaching", "question"]);
    const [a, b] = calls.sort((x, y) => x.receivedAt - y.receivedAt);
    expect(b!.receivedAt).toBeLessThan(a!.endedAt!);
    socket.close();
  });

  /** Each failure, and what its calls report: a slow call ends at the deadline, the others before it. */
  const failures: [string, FakeReply, boolean, { outcome: string; detail: string | RegExp }][] = [
    ["a call slower than the timeout", { delayMs: 5_000 }, false, { outcome: "timeout", detail: "deadline" }],
    // Retried once when the deadline leaves room (detail "http 500"), else "http 500 (no time to retry)".
    ["HTTP 500 twice", { status: 500 }, false, { outcome: "http_error", detail: /^http 500/ }],
    ["HTTP 429 with a Retry-After beyond the deadline", { status: 429, retryAfter: "30" }, false, { outcome: "http_error", detail: "http 429 (no time to retry)" }],
    ["a malformed body", { rawBody: '{"id": "x", "choices": [' }, false, { outcome: "invalid", detail: "malformed body" }],
    ["empty content", { content: "" }, false, { outcome: "invalid", detail: "empty content" }],
    ["content that is no question", { content: '{"question": "{}"}' }, false, { outcome: "invalid", detail: "unusable content" }],
    ["a stream cut off mid-question", { chunks: ["Tell me ", "about the ", "time"], truncateAfter: 2 }, true, { outcome: "invalid", detail: "truncated stream" }],
  ];
  for (const [name, reply, stream, reported] of failures) {
    it(`falls back to the heuristics on ${name} (llm_call ${reported.outcome}) and keeps the socket open`, async () => {
      // A cut stream only exists for the streamed question; coaching is never streamed.
      await scriptFake([{ reply, ...(stream ? { purpose: "question" as const } : {}) }]);
      const { socket, question, started } = await startInterview({ group: "control", consent: true, stream });
      expect(question.source).toBe("fallback");
      socket.send({ type: "user_answer", answer: ANSWER });
      const frames = await socket.collectUntil("interviewer_message");
      const [tips, followUp] = frames.filter((f) => f.type !== "interviewer_delta") as [any, any];
      expect(tips.items.length).toBeGreaterThanOrEqual(1);
      expect(followUp.source).toBe("follow_up");
      if (!stream) {
        expect(tips.items).not.toEqual(FAKE_COACHING.tips);
        expect(followUp.question).not.toBe(FAKE_COACHING.follow_up);
      }
      // The first question's call, then the turn's coaching call; a cut stream fails the question only.
      const calls = await llmCalls(started);
      expect(calls.map((c) => c.purpose)).toEqual(["question", "coaching"]);
      const failed = stream ? calls.filter((c) => c.purpose === "question") : calls;
      for (const call of failed) expect(call).toMatchObject({ outcome: reported.outcome, detail: typeof reported.detail === "string" ? reported.detail : expect.stringMatching(reported.detail) });
      await stillOpen(socket);
      socket.close();
    });
  }

  it("retries a 429 once when Retry-After fits the deadline", async () => {
    await scriptFake([{ purpose: "question", times: 1, reply: { status: 429, retryAfter: "0.1" } }]);
    const { socket, question } = await startInterview({ group: "control" });
    expect(question.source).toBe("llm");
    expect((await fakeCalls()).map((c) => c.status)).toEqual([429, 200]);
    socket.close();
  });

  it("accepts fenced JSON", async () => {
    await scriptFake([{ purpose: "question", reply: { content: 'Here:\n```json\n{"question": "Which metric would you watch first?"}\n```' } }]);
    const { socket, question } = await startInterview({ group: "control" });
    expect(question).toMatchObject({ source: "llm", question: "Which metric would you watch first?" });
    socket.close();
  });

  it("opens the circuit after repeated timeouts: the next turn is answered without calling the API", async () => {
    await scriptFake([{ reply: { delayMs: 5_000 } }]);
    const { socket, started } = await startInterview({ group: "control", consent: true }); // question: 1 failure
    socket.send({ type: "user_answer", answer: ANSWER }); // coaching: 2
    await socket.collectUntil("interviewer_message");
    socket.send({ type: "user_answer", answer: "Second." }); // coaching + question: 3, 4 → open
    await socket.collectUntil("question");
    const before = (await fakeCalls()).length;
    socket.send({ type: "user_answer", answer: ANSWER });
    const [tips, followUp] = (await socket.collectUntil("interviewer_message")) as [any, any];
    expect(tips.items.length).toBeGreaterThanOrEqual(1);
    expect(followUp.source).toBe("follow_up");
    expect((await fakeCalls()).length).toBe(before);
    // Refused by the breaker (nothing to wait for), not timed out at the deadline.
    const calls = await llmCalls(started);
    expect(calls.map((c) => c.outcome)).toEqual(["timeout", "timeout", "timeout", "timeout", "circuit_open"]);
    expect(calls.at(-1)).toMatchObject({ purpose: "coaching", attempts: 0 });
    await stillOpen(socket);
    socket.close();
  });

  describe("streaming", () => {
    it("streams the question as interviewer_delta frames before the final question", async () => {
      await scriptFake([{ purpose: "question", reply: { chunks: ["How would ", "you size ", "the queue?"], chunkDelayMs: 30 } }]);
      const { socket, question, deltas: first } = await startInterview({ group: "control", stream: true });
      expect(first).toEqual(["How would ", "you size ", "the queue?"]);
      expect(question).toMatchObject({ source: "llm", question: "How would you size the queue?" });
      socket.send({ type: "user_answer", answer: ANSWER });
      await socket.collectUntil("interviewer_message");
      socket.send({ type: "user_answer", answer: "Follow-up answer." });
      const frames = await socket.collectUntil("question");
      const deltas = frames.filter((f) => f.type === "interviewer_delta") as unknown as { turn: number; delta: string }[];
      expect(deltas.map((d) => d.delta)).toEqual(["How would ", "you size ", "the queue?"]);
      expect(deltas.every((d) => d.turn === 2)).toBe(true);
      expect(frames.map((f) => f.type)).toEqual(["interviewer_delta", "interviewer_delta", "interviewer_delta", "tips", "question"]);
      expect(frames.at(-1)).toMatchObject({ type: "question", source: "llm", question: "How would you size the queue?" });
      expect((await fakeCalls()).filter((c) => c.purpose === "question").every((c) => c.stream)).toBe(true);
      socket.close();
    });

    it("a drop while the model streams the question loses nothing: the resumed client gets the turn's replies once", async () => {
      await scriptFake([
        { purpose: "question", times: 1, reply: { chunks: ["How would ", "you size ", "the queue?"] } },
        { purpose: "question", reply: { chunks: ["What did ", "you measure ", "first?"], holdAfter: 1 } },
      ]);
      const { socket, started } = await startInterview({ group: "control", consent: true, stream: true });
      socket.send({ type: "user_answer", answer: ANSWER });
      await socket.collectUntil("interviewer_message");
      socket.send({ type: "user_answer", id: "follow-up-answer", answer: "Follow-up answer with 2 numbers: 5 and 7." });
      expect(await socket.next("ack")).toMatchObject({ id: "follow-up-answer" });
      await socket.next("interviewer_delta"); // the model is writing the next question; the stream is held
      const lastSeq = socket.lastSeq!;
      socket.close();

      const again = await connect(`?lastSeq=${lastSeq}`, { "Sec-WebSocket-Protocol": `interview.v1, resume.${started.resumeToken as string}` }, lastSeq);
      await fetch(`${(env as unknown as { FAKE_NVIDIA_URL: string }).FAKE_NVIDIA_URL}/__fake/release`, { method: "POST" });
      expect(await again.next("session_resumed")).toMatchObject({ turn: 2 });
      const replayed = await again.collectUntil("question");
      expect(replayed.map((f) => f.type)).toEqual(["tips", "question"]);
      expect(replayed[1]).toMatchObject({ turn: 2 });
      await again.expectSilence();
      again.send({ type: "user_answer", id: "follow-up-answer", answer: "Follow-up answer with 2 numbers: 5 and 7." });
      expect(await again.next("ack")).toMatchObject({ duplicate: true });
      const answers = (await recordsOf(started.resumeToken as string, started.session_id as string)).filter((r) => r.kind === "answer");
      expect(answers).toHaveLength(2);
      again.close();
    });

    it("sends no delta frames to clients that did not opt in", async () => {
      const { socket } = await startInterview({ group: "control" });
      socket.send({ type: "user_answer", answer: ANSWER });
      await socket.collectUntil("interviewer_message");
      socket.send({ type: "user_answer", answer: "Follow-up answer." });
      const frames = await socket.collectUntil("question");
      expect(frames.map((f) => f.type)).toEqual(["tips", "question"]);
      expect((await fakeCalls()).some((c) => c.stream)).toBe(false);
      socket.close();
    });
  });
});
