/**
 * The NVIDIA interviewer against the fake server over loopback HTTP, in Node: request shape,
 * parallel calls, the turn deadline, retries, the breaker, each failure mode and streaming.
 * The Durable Object wiring is covered by test/workerd/llm-*.test.ts.
 *
 * No test here has an upper bound on elapsed time (a slow machine must not fail it): order is
 * shown with the fake's gates (a reply held until both calls arrived, a stream held until the
 * first delta was seen) and "in time" by the outcome each call reports. The durations (turn
 * time, time to give up, to stop, to refuse) are printed by `npm run bench -w @interview/worker`.
 * Calls that should succeed get a generous deadline; only the deadline tests use a short one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConsultRequest } from "../../src/engine/types.ts";
import { NvidiaInterviewer } from "../../src/model/nvidia/nvidia-interviewer.ts";
import { startFakeNvidia, type FakeNvidia, type FakeRule } from "../fakes/fake-nvidia.ts";

let fake: FakeNvidia;
beforeAll(async () => {
  fake = await startFakeNvidia();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

/** Deadline for turns that should succeed: loopback answers come long before it, even on a busy machine. */
const GENEROUS_MS = 5_000;
/** Deadline for tests that wait for it to pass (a 5 s fake call). */
const DEADLINE_MS = 1_000;

function model(timeoutMs = GENEROUS_MS) {
  return new NvidiaInterviewer({ apiKey: "test-key", url: fake.chatUrl, model: "test/model", timeoutMs });
}

function request(parts: Partial<ConsultRequest> = {}): ConsultRequest {
  return {
    id: 1,
    sessionId: "s",
    turn: 2,
    style: "cold",
    pack: "swe_system_design",
    difficulty: "hard",
    history: [{ question: "Design a rate limiter?", answer: "Token buckets per tenant, 99th percentile 4 ms." }],
    stream: false,
    coaching: { question: "Design a rate limiter?", answer: "Token buckets per tenant.", metrics: { speakingRate: 150, fillers: 2 } },
    nextQuestion: { previousQuestion: "Design a rate limiter?", mainQuestionIndex: 1 },
    ...parts,
  };
}

const hooks = () => ({ signal: new AbortController().signal });
const script = (rules: FakeRule[]) => fake.script(rules);

describe("NvidiaInterviewer", () => {
  it("sends the seed's request shape per purpose, with the context in the prompt", async () => {
    const result = await model().consult(request({ clarification: { prompt: "Design a rate limiter?", question: "Per user or per IP?" } }), hooks());
    expect(result.coaching?.followUp).toMatch(/\?$/);
    expect(result.coaching?.tips).toHaveLength(2);
    expect(result.question).toMatch(/\?$/);
    expect(result.clarification).toBeTruthy();
    const calls = fake.calls();
    expect(calls.map((c) => c.purpose).sort()).toEqual(["clarification", "coaching", "question"]);
    for (const call of calls) {
      expect(call.authorization).toBe("Bearer test-key");
      expect(call.body).toMatchObject({ model: "test/model", top_p: 1, stream: false });
    }
    const byPurpose = Object.fromEntries(calls.map((c) => [c.purpose, c.body]));
    expect(byPurpose.coaching).toMatchObject({ max_tokens: 240, temperature: 0.8 });
    expect(byPurpose.question).toMatchObject({ max_tokens: 80, temperature: 0.85 });
    expect(byPurpose.clarification).toMatchObject({ max_tokens: 180, temperature: 0.5 });
    const coachingPrompt = JSON.stringify(byPurpose.coaching);
    for (const needle of ["pressuring", "swe_system_design", "Difficulty: hard", "Turn: 2", "speakingRate=150", "fillers=2", "99th percentile"]) {
      expect(coachingPrompt).toContain(needle);
    }
    expect(result.calls?.map((c) => c.outcome)).toEqual(["ok", "ok", "ok"]);
  });

  it("runs coaching and the next question in parallel: both calls are in flight at once", async () => {
    // The fake answers neither call before both have arrived: calls made one after the other
    // would never get the first reply and would end at the deadline as timeouts.
    script([{ reply: { awaitCalls: 2 } }]);
    const result = await model().consult(request(), hooks());
    expect(result.calls!.map((c) => [c.purpose, c.outcome]).sort()).toEqual([
      ["coaching", "ok"],
      ["question", "ok"],
    ]);
    expect(result.question).toBeTruthy();
    expect(result.coaching?.tips).toHaveLength(2);
    const [a, b] = fake.calls();
    expect(b!.receivedAt).toBeLessThan(a!.endedAt!);
  });

  it("gives up at the deadline: missing parts are empty, outcome timeout", async () => {
    script([{ purpose: "coaching", reply: { delayMs: 5_000 } }]);
    const result = await model(DEADLINE_MS).consult(request(), hooks());
    expect(result.coaching ?? null).toBeNull();
    expect(result.question).toBeTruthy();
    const coaching = result.calls!.find((c) => c.purpose === "coaching")!;
    expect(coaching).toMatchObject({ outcome: "timeout", status: null, ttftMs: null, detail: "deadline" });
    expect(result.calls!.find((c) => c.purpose === "question")).toMatchObject({ outcome: "ok" });
  });

  it("does not retry when the deadline leaves no room for it", async () => {
    script([{ purpose: "question", times: 1, reply: { status: 500 } }]);
    const result = await model(600).consult(request({ coaching: undefined }), hooks());
    expect(result.calls![0]).toMatchObject({ outcome: "http_error", attempts: 1, status: 500 });
  });

  it("retries a 500 once and uses the second answer", async () => {
    script([{ purpose: "question", times: 1, reply: { status: 500 } }]);
    const result = await model().consult(request({ coaching: undefined }), hooks());
    expect(result.question).toBeTruthy();
    expect(result.calls).toEqual([expect.objectContaining({ outcome: "ok", attempts: 2, status: 200 })]);
  });

  it("honours a Retry-After that fits the deadline, and does not retry when it does not", async () => {
    script([{ purpose: "question", times: 1, reply: { status: 429, retryAfter: "0.2" } }]);
    const ok = await model().consult(request({ coaching: undefined }), hooks());
    expect(ok.calls![0]).toMatchObject({ outcome: "ok", attempts: 2 });
    // A lower bound only (the wait it was told to make), which a slow machine cannot break.
    const [first, retry] = fake.calls();
    expect(retry!.receivedAt - first!.endedAt!).toBeGreaterThanOrEqual(190);
    fake.reset();
    // 30 s is past the deadline: refused after one attempt, not slept on (that would end as a timeout).
    script([{ purpose: "question", reply: { status: 429, retryAfter: "30" } }]);
    const refused = await model().consult(request({ coaching: undefined }), hooks());
    expect(refused.question ?? null).toBeNull();
    expect(refused.calls![0]).toMatchObject({ outcome: "http_error", attempts: 1, status: 429, detail: "http 429 (no time to retry)" });
    expect(fake.calls()).toHaveLength(1);
  });

  it("does not retry a 400 or a second 503", async () => {
    script([{ purpose: "coaching", reply: { status: 400 } }, { purpose: "question", reply: { status: 503 } }]);
    const result = await model().consult(request(), hooks());
    expect(result.calls!.map((c) => [c.purpose, c.outcome, c.attempts, c.status]).sort()).toEqual([
      ["coaching", "http_error", 1, 400],
      ["question", "http_error", 2, 503],
    ]);
  });

  it.each([
    ["a malformed body", { rawBody: '{"choices": [' }, "malformed body"],
    ["empty content", { content: "   " }, "empty content"],
    ["prose without JSON", { content: "I would rather not." }, "unusable content"],
    ["a non-string follow-up", { content: '{"follow_up": {"x": 1}, "tips": []}' }, "unusable content"],
  ])("reports %s as invalid and leaves the coaching to the heuristics", async (_name, reply, detail) => {
    script([{ purpose: "coaching", reply }]);
    const result = await model().consult(request({ nextQuestion: undefined }), hooks());
    expect(result.coaching ?? null).toBeNull();
    expect(result.calls![0]).toMatchObject({ outcome: "invalid", status: 200, detail });
  });

  it("accepts fenced JSON", async () => {
    script([{ purpose: "question", reply: { content: 'Sure:\n```json\n{"question": "What would you cache first"}\n```' } }]);
    const result = await model().consult(request({ coaching: undefined }), hooks());
    expect(result.question).toBe("What would you cache first?");
  });

  it("reports prose without the asked-for JSON as invalid, so the heuristics ask the question", async () => {
    script([{ purpose: "question", reply: { content: "Sure! Here is what I think: you should ask about caching." } }]);
    const result = await model().consult(request({ coaching: undefined }), hooks());
    expect(result.question ?? null).toBeNull();
    expect(result.calls![0]).toMatchObject({ purpose: "question", outcome: "invalid", status: 200, detail: "unusable content" });
  });

  it("reports a streamed preamble that is no question as invalid", async () => {
    script([{ purpose: "question", reply: { content: "Sure! Here is what I think: caching matters." } }]);
    const result = await model().consult(request({ coaching: undefined, stream: true }), { ...hooks(), onQuestionDelta: () => {} });
    expect(result.question ?? null).toBeNull();
    expect(result.calls![0]).toMatchObject({ purpose: "question", outcome: "invalid", streamed: true });
  });

  it("rejects a question that is not one", async () => {
    script([{ purpose: "question", reply: { content: '{"reply": "{question}"}' } }]);
    const result = await model().consult(request({ coaching: undefined }), hooks());
    expect(result.question ?? null).toBeNull();
    expect(result.calls![0]!.outcome).toBe("invalid");
  });

  it("opens the circuit after repeated failures: later turns do not wait for the timeout", async () => {
    script([{ reply: { delayMs: 5_000 } }]);
    const m = model(300);
    await m.consult(request(), hooks());
    await m.consult(request({ nextQuestion: undefined }), hooks());
    expect(m.breaker.state()).toBe("open");
    const before = fake.calls().length;
    // Refused without a call: nothing to wait for (the consult time is in the bench).
    const result = await m.consult(request(), hooks());
    expect(result.calls!.map((c) => c.outcome)).toEqual(["circuit_open", "circuit_open"]);
    expect(result.calls!.map((c) => c.attempts)).toEqual([0, 0]);
    expect(fake.calls().length).toBe(before);
  });

  it("stops at once when the turn is abandoned, without blaming the API", async () => {
    script([{ reply: { delayMs: 5_000 } }]);
    const m = model(5_000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    // Ended by the abort, not by the 5 s deadline (that would report "deadline").
    const result = await m.consult(request(), { signal: abort.signal });
    expect(result.calls!.map((c) => [c.outcome, c.detail])).toEqual([
      ["timeout", "aborted"],
      ["timeout", "aborted"],
    ]);
    expect(m.breaker.state()).toBe("closed");
  });

  describe("streaming", () => {
    it("forwards deltas as they arrive and measures time to first token", async () => {
      // The fake holds the rest of the stream until the test has seen the first delta: a client
      // that passed deltas on only at the end would wait for the deadline and time out.
      script([{ purpose: "question", reply: { chunks: ["How would ", "you shard ", "it?"], chunkDelayMs: 40, holdAfter: 1 } }]);
      const deltas: string[] = [];
      const streamEndedAtFirstDelta: boolean[] = [];
      const result = await model().consult(request({ coaching: undefined, stream: true }), {
        ...hooks(),
        onQuestionDelta: (d) => {
          deltas.push(d);
          if (deltas.length > 1) return;
          streamEndedAtFirstDelta.push(fake.calls()[0]!.endedAt !== null);
          fake.release();
        },
      });
      expect(deltas).toEqual(["How would ", "you shard ", "it?"]);
      expect(streamEndedAtFirstDelta).toEqual([false]);
      expect(result.question).toBe("How would you shard it?");
      expect(result.calls![0]).toMatchObject({ outcome: "ok", streamed: true });
      expect(result.calls![0]!.ttftMs).toBeLessThan(result.calls![0]!.latencyMs);
      expect(fake.calls()[0]!.body.stream).toBe(true);
    });

    it("previews only the question string when the model streams JSON anyway", async () => {
      script([{ purpose: "question", reply: { chunks: ['{"quest', 'ion": "Why ', 'Kafka over SQS?"}'] } }]);
      const deltas: string[] = [];
      const result = await model().consult(request({ coaching: undefined, stream: true }), { ...hooks(), onQuestionDelta: (d) => deltas.push(d) });
      expect(deltas.join("")).toBe("Why Kafka over SQS?");
      expect(result.question).toBe("Why Kafka over SQS?");
    });

    it("drops a stream cut off mid-question, and keeps one cut off after a whole question", async () => {
      script([{ purpose: "question", reply: { chunks: ["Tell me ", "about the ", "time you", "?"], truncateAfter: 2 } }]);
      const cut = await model().consult(request({ coaching: undefined, stream: true }), { ...hooks(), onQuestionDelta: () => {} });
      expect(cut.question ?? null).toBeNull();
      expect(cut.calls![0]).toMatchObject({ outcome: "invalid", detail: "truncated stream" });
      fake.reset();
      script([{ purpose: "question", reply: { chunks: ["What broke ", "first?", " And"], truncateAfter: 2 } }]);
      const whole = await model().consult(request({ coaching: undefined, stream: true }), { ...hooks(), onQuestionDelta: () => {} });
      expect(whole.question).toBe("What broke first?");
    });

    it("times out a stream that stalls after its first token", async () => {
      script([{ purpose: "question", reply: { chunks: ["Tell ", "me more?"], chunkDelayMs: 5_000 } }]);
      const deltas: string[] = [];
      const result = await model(DEADLINE_MS).consult(request({ coaching: undefined, stream: true }), { ...hooks(), onQuestionDelta: (d) => deltas.push(d) });
      expect(deltas).toEqual(["Tell "]);
      expect(result.question ?? null).toBeNull();
      expect(result.calls![0]).toMatchObject({ outcome: "timeout", detail: "deadline" });
      expect(result.calls![0]!.ttftMs).not.toBeNull();
    });
  });
});
