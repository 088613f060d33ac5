/** The engine's side: `feedback` after `tips` for every answer, `report` before `session_ended`, `COACH=seed`. */
import { describe, expect, it } from "vitest";
import { FeedbackMessageSchema, ReportMessageSchema, type ServerMessage } from "@interview/shared";
import { initialState, reduce } from "../../../src/engine/engine.ts";
import { coachMode } from "../../../src/engine/answer-feedback.ts";
import { buildReport } from "../../../src/engine/session-report.ts";
import type { AnswerScore, CoachMode, EngineEvent, InterviewState } from "../../../src/engine/types.ts";
import type { TimedWord } from "../../../src/coach/types.ts";

const T0 = Date.UTC(2026, 10, 30, 12);
const BUG = "What is the hardest bug you ever shipped, how was it caught, and how did you fix it?";
const STRONG =
  "At my last company checkout timed out every evening. I was on call, so I had to find the cause. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";
const WEAK = "I think we maybe changed some things, and it was sort of better.";

function run(events: EngineEvent[], coach?: CoachMode): ServerMessage[] {
  let state: InterviewState = initialState("ready");
  const out: ServerMessage[] = [];
  const ctx = { now: T0, random: () => 0, ...(coach ? { coach } : {}) };
  const apply = (event: EngineEvent) => {
    const next = reduce(state, event, ctx);
    state = next.state;
    for (const effect of next.effects) {
      if (effect.kind === "send") out.push(effect.message);
      if (effect.kind === "consult") apply({ kind: "consulted", requestId: effect.request.id, result: {} });
    }
  };
  for (const event of events) apply(event);
  return out;
}

const start = (maxQuestions: number | null = null): EngineEvent => ({
  kind: "start",
  message: { type: "start_session", customQuestions: [BUG, BUG, BUG], ...(maxQuestions ? { maxQuestions } : {}) } as never,
  mint: { sessionId: "s-1", objectId: "o-1", resumeToken: "t", resumeTokenHash: "h", arm: { participantId: "p", group: "treatment", groupAssignment: "server", clientGroup: null }, turnCap: null },
});
const answer = (text: string, words?: TimedWord[]): EngineEvent => ({ kind: "message", message: { type: "user_answer", answer: text, metrics: {} }, ...(words ? { words } : {}) });

describe("feedback", () => {
  it("follows the tips of every answer, with content spans into the answer and no delivery for a typed one", () => {
    const out = run([start(), answer(STRONG), answer(WEAK)]);
    const types = out.map((m) => m.type);
    expect(types.filter((t) => t === "feedback")).toHaveLength(2);
    expect(types.indexOf("feedback")).toBe(types.indexOf("tips") + 1);
    const feedback = out.find((m) => m.type === "feedback")!;
    const parsed = FeedbackMessageSchema.parse(feedback);
    expect(parsed).toMatchObject({ turn: 1, delivery: null, content: { star: { situation: { present: true }, result: { present: true } } } });
    const result = parsed.content.star.result.evidence[0]!;
    expect(STRONG.slice(result.from, result.to)).toContain("p99 dropped from 900 ms to 120 ms");
  });

  it("carries delivery for a spoken answer's word timings", () => {
    const words = STRONG.split(" ").map((word, i) => ({ word, start: i * 0.4, end: i * 0.4 + 0.3 }));
    const feedback = FeedbackMessageSchema.parse(run([start(), answer(STRONG, words)]).find((m) => m.type === "feedback"));
    // 36 words over 14.3 s: 151 a minute.
    expect(feedback.delivery).toMatchObject({ words: words.length, wpm: 151, band: "conversational", longestPause: { seconds: 0.1 } });
  });

  it("tips come from the analysis by default and from the seed's rules under COACH=seed", () => {
    const tipsOf = (coach?: CoachMode) => run([start(), answer(STRONG)], coach).find((m) => m.type === "tips") as { items: { summary: string; detail: string }[] };
    expect(tipsOf().items[0]!.detail).toContain("“900 ms”");
    expect(tipsOf("seed").items).toEqual([{ summary: "Keep this structure", detail: "That was clear and concise. Next time, add one metric to make it land harder." }]);
  });

  it("COACH reads 'seed' (any case, trimmed) as seed and anything else as evidence", () => {
    expect(coachMode(" Seed ")).toBe("seed");
    expect(coachMode(undefined)).toBe("evidence");
    expect(coachMode("evidence")).toBe("evidence");
  });
});

describe("report", () => {
  it("comes just before session_ended, covering every answer, and fits its schema", () => {
    const out = run([start(3), answer(WEAK), answer(STRONG), answer(STRONG)]);
    const types = out.map((m) => m.type);
    expect(types.slice(-2)).toEqual(["report", "session_ended"]);
    const report = ReportMessageSchema.parse(out.at(-2));
    expect(report.answers.map((a) => a.turn)).toEqual([1, 2, 3]);
    expect(report.answers[1]!.star.result.quotes[0]).toContain("p99 dropped");
    expect(report.earlier).toBeNull();
    expect(report.improved.map((t) => t.measure)).toContain("STAR parts covered (of 4)");
    expect(report.improved.find((t) => t.measure === "hedges per answer")).toMatchObject({ from: 3, to: 0, earlyTurns: [1], lateTurns: [2, 3] });
    expect(report.strengths.length).toBeGreaterThan(0);
    expect(report.strengths.length).toBeLessThanOrEqual(3);
    for (const p of [...report.strengths, ...report.practise]) expect(p.turns.every((t) => [1, 2, 3].includes(t))).toBe(true);
  });

  it("is not sent when the session ends before any answer", () => {
    const out = run([start(), { kind: "message", message: { type: "switch_style", style: "cold" } }]);
    expect(out.map((m) => m.type)).not.toContain("report");
  });
});

describe("buildReport", () => {
  const score = (turn: number, over: Partial<AnswerScore>): AnswerScore => ({
    turn, question: "Q", words: 40,
    star: { situation: { present: true, quotes: [] }, task: { present: false, quotes: [] }, action: { present: true, quotes: [] }, result: { present: false, quotes: [] } },
    starScore: 2, numbers: [], names: 0, singular: 1, plural: 0, hedges: [], relevance: 0.5, wpm: null, fillersPer100Words: null, ...over,
  });

  it("ties three strengths and three things to practise to the answers that show them", () => {
    const r = buildReport("s", [score(1, {}), score(2, { numbers: ["3 days"] }), score(3, { hedges: ["maybe"] })]);
    expect(r.strengths[0]).toEqual({ text: "You described the steps you took.", turns: [1, 2, 3] });
    expect(r.practise).toContainEqual({ text: "Finish each story with its result.", turns: [1, 2, 3] });
    expect(r.practise).toContainEqual({ text: "Put a number on the outcome: a before and after, a count, time saved.", turns: [1, 3] });
    expect(r.strengths).toHaveLength(3);
    expect(r.practise).toHaveLength(3);
  });

  it("says what did not improve, and leaves trends out for a single answer", () => {
    const r = buildReport("s", [score(1, { relevance: 0.8 }), score(2, { relevance: 0.2 })]);
    expect(r.notImproved).toContainEqual({ measure: "relevance to the question", from: 0.8, to: 0.2, earlyTurns: [1], lateTurns: [2] });
    expect(buildReport("s", [score(1, {})])).toMatchObject({ improved: [], notImproved: [] });
  });

  it("leaves out pace and filler habits when no answer was spoken", () => {
    const r = buildReport("s", [score(1, {})]);
    expect([...r.strengths, ...r.practise].map((p) => p.text).join(" ")).not.toMatch(/pace|filler/iu);
  });
});
