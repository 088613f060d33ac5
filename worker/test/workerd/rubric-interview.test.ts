/**
 * The model's rubric over the real socket (workerd-llm-rubric: NVIDIA_API_KEY set, the fake
 * NVIDIA server speaking chat completions over HTTP, NVIDIA_LLM_TIMEOUT = 1 s): a valid rubric
 * arrives as `feedback_rubric` after the turn's own replies and is stored on the answer's
 * feedback row (export, report); an invented quote is dropped; prose or invalid JSON sends
 * nothing; a rubric still unanswered does not hold the next question; with the model down the
 * heuristics alone answer.
 *
 * No elapsed-time bounds: "does not delay" is shown by order (the turn's question arrives while
 * the fake still holds the rubric's reply), and "nothing was sent" by waiting for the rubric's
 * own `llm_call` record and then a ping's pong, which the object sends after anything before it.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { FeedbackMessageSchema, ReportMessageSchema, RubricMessageSchema, type PersistRecord } from "@interview/shared";
import type { InterviewState } from "../../src/engine/types.ts";
import { fakeCalls, resetFake, scriptFake } from "./llm-fake-control.ts";
import { recordedBy } from "./recorded.ts";
import { bearer, call, replicated } from "./rest-client.ts";
import { interviewOf, startInterview, type Frame, type TestSocket } from "./socket-client.ts";
import { DEFAULT_CONTENT } from "../fakes/fake-nvidia.ts";
import { RUBRIC_ANSWER as ANSWER, RUBRIC_SCORES as RUBRIC } from "../fakes/rubric-fixture.ts";

const FAKE_TIPS = (JSON.parse(DEFAULT_CONTENT.coaching.json) as { tips: unknown[] }).tips;

beforeEach(() => resetFake());

type LlmCall = { purpose: string; outcome: string; turn: number };

/** The session's rubric `llm_call` records, once there are `count` of them. */
async function rubricCalls(started: Record<string, unknown>, count = 1): Promise<LlmCall[]> {
  for (let i = 0; i < 100; i++) {
    const rows: PersistRecord[] = await recordedBy(interviewOf(started.resumeToken as string), started.session_id as string);
    const calls = rows.flatMap((r) => (r.kind === "telemetry" && r.eventType === "llm_call" && (r.payload as LlmCall).purpose === "rubric" ? [r.payload as LlmCall] : []));
    if (calls.length >= count) return calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${count} rubric llm_call records`);
}

/** Every frame up to now: a ping's pong comes after anything the object sent before it. */
async function everythingSoFar(socket: TestSocket): Promise<Frame[]> {
  socket.ignoresCoaching = false;
  socket.send({ type: "ping" });
  return socket.collectUntil("pong");
}

async function answer(socket: TestSocket, text: string): Promise<Frame[]> {
  socket.ignoresCoaching = false;
  socket.send({ type: "user_answer", answer: text, metrics: {} });
  return socket.collectUntil("interviewer_message", "session_ended");
}

describe("the model's rubric", () => {
  it("arrives after the turn's replies as feedback_rubric, each quote's span in the answer, and is stored, exported and reported", async () => {
    await scriptFake([{ purpose: "rubric", reply: { content: JSON.stringify(RUBRIC) } }]);
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 2 });
    const turn = await answer(socket, ANSWER);
    // The turn's own replies first, all of them: the rubric comes after.
    expect(turn.map((f) => f.type)).toEqual(["tips", "feedback", "question", "interviewer_message"]);
    const rubric = RubricMessageSchema.parse(await socket.next("feedback_rubric"));
    expect(rubric).toMatchObject({ turn: 1, source: "model", model: "test/fake-model" });
    for (const [criterion, item] of Object.entries(rubric.scores)) {
      expect(ANSWER.slice(item!.evidence.from, item!.evidence.to), criterion).toBe(RUBRIC[criterion as keyof typeof RUBRIC].quote);
    }
    expect(await rubricCalls(started)).toEqual([expect.objectContaining({ purpose: "rubric", outcome: "ok", turn: 1 })]);

    const exported = await replicated(started.resumeToken as string, started.session_id);
    expect(exported.feedback[0]!.rubric).toEqual({ model: "test/fake-model", scores: rubric.scores });
    expect(exported.feedback[0]!.score).toMatchObject({ rubric: { result: { score: 5, quote: `“${RUBRIC.result.quote}”` } } });
    const response = await call(`/sessions/${started.session_id}/report`, { headers: bearer(started.resumeToken as string) });
    expect(ReportMessageSchema.parse(await response.json()).answers[0]!.rubric?.action).toEqual({ score: 5, quote: `“${RUBRIC.action.quote}”` });
    socket.close();
  });

  it("drops a criterion whose quote the answer does not contain: the invented words are never shown", async () => {
    const invented = { ...RUBRIC, result: { score: 5, quote: "revenue grew by 40 percent" } };
    await scriptFake([{ purpose: "rubric", reply: { content: JSON.stringify(invented) } }]);
    const { socket, started } = await startInterview({ consent: true });
    const frames = [...(await answer(socket, ANSWER))];
    await rubricCalls(started);
    frames.push(...(await everythingSoFar(socket)));
    const rubric = RubricMessageSchema.parse(frames.find((f) => f.type === "feedback_rubric"));
    expect(rubric.scores.result).toBeNull();
    expect(rubric.scores.action).toMatchObject({ score: 5 });
    expect(JSON.stringify(frames)).not.toContain("40 percent");
    socket.close();
  });

  it.each([
    ["prose without the JSON", "Sure! Here is what I think: a solid answer, about a 4 overall."],
    ["invalid JSON", '{"situation": {"score": 4, "quote": "checkout timed out"'],
    ["JSON of the wrong shape", JSON.stringify({ overall: 4, comment: "good" })],
  ])("%s: nothing is sent, the heuristic feedback stands", async (_name, content) => {
    await scriptFake([{ purpose: "rubric", reply: { content } }]);
    const { socket, started } = await startInterview({ consent: true });
    const frames = await answer(socket, ANSWER);
    FeedbackMessageSchema.parse(frames.find((f) => f.type === "feedback"));
    expect(await rubricCalls(started)).toEqual([expect.objectContaining({ outcome: "invalid" })]);
    frames.push(...(await everythingSoFar(socket)));
    expect(frames.some((f) => f.type === "feedback_rubric")).toBe(false);
    socket.close();
  });

  it("a rubric still unanswered does not hold the next question: it follows when it comes", async () => {
    // The rubric of turn 1 (the 3rd call: question, coaching, rubric) is answered only once a
    // 4th call arrives, which only the candidate's next answer makes.
    await scriptFake([{ purpose: "rubric", times: 1, reply: { content: JSON.stringify(RUBRIC), awaitCalls: 4 } }]);
    const { socket } = await startInterview({ consent: true });
    const turn = await answer(socket, ANSWER);
    expect(turn.map((f) => f.type)).toEqual(["tips", "feedback", "question", "interviewer_message"]);
    const held = (await fakeCalls()).find((c) => c.purpose === "rubric")!;
    expect(held.endedAt).toBeNull();

    socket.send({ type: "user_answer", answer: "I owned the rollout: a canary to 5 percent of traffic first, then everyone.", metrics: {} });
    // Fed back through the frame queue: it may follow the second turn's replies and rubric.
    let rubric: Frame | undefined;
    for (let i = 0; i < 3 && rubric?.turn !== 1; i++) rubric = (await socket.collectUntil("feedback_rubric")).at(-1);
    expect(RubricMessageSchema.parse(rubric)).toMatchObject({ turn: 1, scores: { result: { score: 5 } } });
    socket.close();
  });

  it("a rubric lost with an evicted object is asked again from its alarm, and arrives and is stored", async () => {
    // The first call fails (prose), so its answer has no rubric; the one asked again is valid.
    await scriptFake([
      { purpose: "rubric", times: 1, reply: { content: "This answer is good." } },
      { purpose: "rubric", reply: { content: JSON.stringify(RUBRIC) } },
    ]);
    const { socket, started, question } = await startInterview({ consent: true, maxQuestions: 3 });
    const stub = interviewOf(started.resumeToken as string);
    await answer(socket, ANSWER);
    await rubricCalls(started);
    // As if the call had been in flight when the object was evicted (a real eviction mid-fetch
    // cannot be timed in a test: the harness waits for it): the stored state still waits for it.
    await runInDurableObject(stub, async (_instance, state) => {
      const core = JSON.parse(state.storage.kv.get<string>("state")!) as InterviewState;
      expect(core.session!.rubricsAsked).toBeUndefined();
      core.session!.rubricsAsked = [{ request: { sessionId: started.session_id as string, turn: 1, question: question.question as string, answer: ANSWER }, askedAt: Date.now() }];
      state.storage.kv.put("state", JSON.stringify(core));
      await state.storage.setAlarm(Date.now() + 15_000);
    });
    await evictDurableObject(stub);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const rubric = RubricMessageSchema.parse(await socket.next("feedback_rubric"));
    expect(rubric).toMatchObject({ turn: 1, source: "model" });
    expect((await fakeCalls()).filter((c) => c.purpose === "rubric")).toHaveLength(2);
    const exported = await replicated(started.resumeToken as string, started.session_id);
    expect(exported.feedback[0]!.rubric).toEqual({ model: "test/fake-model", scores: rubric.scores });
    // Scored: nothing is waited for any more.
    const left = await runInDurableObject(stub, (_instance, state) => (JSON.parse(state.storage.kv.get<string>("state")!) as InterviewState).session!.rubricsAsked);
    expect(left).toBeUndefined();
    socket.close();
  });

  it("with the model down, the heuristics alone answer: tips, feedback, question, and no rubric", async () => {
    await scriptFake([{ reply: { status: 503 } }]);
    const { socket, started, question } = await startInterview({ consent: true });
    expect(question).toMatchObject({ source: "fallback" });
    const frames = await answer(socket, ANSWER);
    const tips = frames.find((f) => f.type === "tips") as unknown as { items: unknown[] };
    expect(tips.items).not.toEqual(FAKE_TIPS);
    FeedbackMessageSchema.parse(frames.find((f) => f.type === "feedback"));
    expect(await rubricCalls(started)).toEqual([expect.objectContaining({ outcome: "http_error" })]);
    frames.push(...(await everythingSoFar(socket)));
    expect(frames.some((f) => f.type === "feedback_rubric")).toBe(false);
    socket.close();
  });
});
