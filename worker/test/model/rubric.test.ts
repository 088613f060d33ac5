/**
 * The rubric call against the fake NVIDIA server over loopback HTTP, in Node: the request
 * (its own budget, the answer between triple quotes), a valid rubric with each quote's span,
 * an invented quote dropped, prose or a wrong shape invalid, an HTTP failure and the open
 * circuit giving no rubric, the caller's abort. The Durable Object side (never delaying the
 * next question) is in test/workerd/rubric-interview.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RubricScoresSchema } from "@interview/shared";
import type { RubricRequest } from "../../src/engine/types.ts";
import { NvidiaInterviewer } from "../../src/model/nvidia/nvidia-interviewer.ts";
import { parseRubric } from "../../src/model/nvidia/rubric.ts";
import { SharedBreaker } from "../../src/health/shared-breaker.ts";
import { DEFAULT_RUBRIC_QUOTE_WORDS, startFakeNvidia, type FakeNvidia } from "../fakes/fake-nvidia.ts";
import { RUBRIC_ANSWER as ANSWER, RUBRIC_SCORES as ALL } from "../fakes/rubric-fixture.ts";

let fake: FakeNvidia;
beforeAll(async () => {
  fake = await startFakeNvidia();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const REQUEST: RubricRequest = { sessionId: "s", turn: 3, question: "Tell me about a hard bug.", answer: ANSWER };

function model(breaker?: SharedBreaker) {
  return new NvidiaInterviewer({ apiKey: "test-key", url: fake.chatUrl, model: "test/model", timeoutMs: 5_000 }, breaker ? { breaker } : {});
}
const signal = () => new AbortController().signal;
const rubric = (items: Record<string, { score: number; quote: string }>) => JSON.stringify(items);

describe("the rubric call", () => {
  it("asks with its own budget, the question and the answer, and returns every criterion with its quote's span", async () => {
    fake.script([{ purpose: "rubric", reply: { content: rubric(ALL) } }]);
    const result = await model().rubric(REQUEST, signal());
    const [call] = fake.calls();
    expect(call).toMatchObject({ purpose: "rubric", stream: false });
    expect(call!.body).toMatchObject({ max_tokens: 400, temperature: 0.2 });
    expect(JSON.stringify(call!.body.messages)).toContain(JSON.stringify(ANSWER).slice(1, -1));
    expect(result.calls).toEqual([expect.objectContaining({ purpose: "rubric", outcome: "ok", attempts: 1, model: "test/model" })]);
    const scores = RubricScoresSchema.parse(result.scores);
    for (const [criterion, item] of Object.entries(scores)) {
      expect(item, criterion).not.toBeNull();
      expect(ANSWER.slice(item!.evidence.from, item!.evidence.to)).toBe(item!.quote);
      expect(item!.quote).toBe(ALL[criterion as keyof typeof ALL].quote);
    }
  });

  it("the fake's default rubric (used by the interview tests) is valid and quotes the answer", async () => {
    const result = await model().rubric(REQUEST, signal());
    expect(result.scores!.result).toMatchObject({ score: 3, quote: ANSWER.split(" ").slice(0, DEFAULT_RUBRIC_QUOTE_WORDS).join(" ") });
  });

  it("drops a criterion whose quote the answer does not contain, and shows the answer's own text for a loose copy", async () => {
    fake.script([
      { purpose: "rubric", reply: { content: rubric({ ...ALL, result: { score: 5, quote: "latency fell by 87 percent" }, task: { score: 3, quote: "“I HAD TO find the cause.”" } }) } },
    ]);
    const result = await model().rubric(REQUEST, signal());
    expect(result.scores!.result).toBeNull();
    expect(result.scores!.task).toMatchObject({ score: 3, quote: "I had to find the cause" });
    expect(JSON.stringify(result.scores)).not.toContain("87 percent");
  });

  it("a rubric whose every quote is invented is invalid as a whole", async () => {
    const invented = Object.fromEntries(Object.keys(ALL).map((k) => [k, { score: 5, quote: "I led a team of twelve engineers" }]));
    fake.script([{ purpose: "rubric", reply: { content: rubric(invented) } }]);
    const result = await model().rubric(REQUEST, signal());
    expect(result.scores).toBeNull();
    expect(result.calls[0]).toMatchObject({ outcome: "invalid", detail: "unusable content" });
  });

  it.each([
    ["prose without the JSON", "Sure! Here is what I think: the answer was strong, maybe a 4 overall."],
    ["a score out of range", rubric({ ...ALL, action: { score: 9, quote: "I profiled it" } })],
    ["a missing criterion", rubric({ situation: ALL.situation, task: ALL.task, action: ALL.action, result: ALL.result, relevance: ALL.relevance })],
    ["a quote that is not a string", JSON.stringify({ ...ALL, result: { score: 5, quote: 42 } })],
  ])("%s is invalid: no rubric", async (_name, content) => {
    fake.script([{ purpose: "rubric", reply: { content } }]);
    const result = await model().rubric(REQUEST, signal());
    expect(result.scores).toBeNull();
    expect(result.calls[0]).toMatchObject({ purpose: "rubric", outcome: "invalid", status: 200 });
  });

  it("accepts the JSON in a fence, as the other calls do", () => {
    expect(parseRubric("Here you go:\n```json\n" + rubric(ALL) + "\n```", ANSWER)?.action?.score).toBe(5);
  });

  it("an HTTP failure gives no rubric and counts against the breaker; an open circuit refuses without a request", async () => {
    fake.script([{ purpose: "rubric", reply: { status: 400 } }]);
    const breaker = new SharedBreaker({ breaker: { failureThreshold: 1, cooldownMs: 60_000, maxCooldownMs: 60_000 } });
    const m = model(breaker);
    const failed = await m.rubric(REQUEST, signal());
    expect(failed).toMatchObject({ scores: null, calls: [expect.objectContaining({ outcome: "http_error", status: 400 })] });
    const before = fake.calls().length;
    const refused = await m.rubric(REQUEST, signal());
    expect(refused.calls).toEqual([expect.objectContaining({ purpose: "rubric", outcome: "circuit_open", attempts: 0 })]);
    expect(fake.calls().length).toBe(before);
  });

  it("an aborted caller (the session deleted) gets no rubric", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await model().rubric(REQUEST, controller.signal)).toMatchObject({ scores: null, calls: [] });
  });
});
