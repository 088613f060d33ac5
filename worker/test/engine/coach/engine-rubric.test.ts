/**
 * The engine's side of the model's rubric and of the report's end: the `rubric` effect asked
 * beside the answer's consult, `rubric_scored` giving `feedback_rubric` after the turn's own
 * replies (kept in the report score, stored with consent), a failed rubric changing nothing
 * but telemetry; `ctx.earlier` making the report's comparison; scores dropped at the end
 * without consent.
 */
import { describe, expect, it } from "vitest";
import { ReportMessageSchema, RubricMessageSchema, type PersistRecord, type RubricScores, type ServerMessage } from "@interview/shared";
import { initialState, reduce } from "../../../src/engine/engine.ts";
import { RUBRIC_RESCUE_WINDOW_MS, RUBRICS_PENDING_KEPT, rubricsToRescue } from "../../../src/engine/rubric-turn.ts";
import type { EarlierSessions, EngineContext, EngineEvent, InterviewState, RubricRequest, RubricResult } from "../../../src/engine/types.ts";

const T0 = Date.UTC(2026, 10, 30, 12);
const BUG = "What is the hardest bug you ever shipped, how was it caught, and how did you fix it?";
const STRONG =
  "At my last company checkout timed out every evening. I was on call, so I had to find the cause. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";

const item = (score: number, quote: string) => {
  const from = STRONG.indexOf(quote);
  return { score, quote, evidence: { from, to: from + quote.length } };
};
const SCORES: RubricScores = {
  situation: item(4, "checkout timed out every evening"),
  task: item(3, "I had to find the cause"),
  action: item(5, "I profiled it, found an N+1 query"),
  result: item(5, "p99 dropped from 900 ms to 120 ms"),
  relevance: item(4, "found an N+1 query"),
  specificity: null,
};
const call = { purpose: "rubric" as const, model: "m", outcome: "ok" as const, latencyMs: 5, ttftMs: 5, attempts: 1, status: 200, streamed: false };

class Interview {
  state: InterviewState = initialState("ready");
  sent: ServerMessage[] = [];
  stored: PersistRecord[] = [];
  rubrics: RubricRequest[] = [];
  constructor(private readonly ctx: EngineContext = { now: T0, random: () => 0 }) {}
  apply(event: EngineEvent, ctx: Partial<EngineContext> = {}): void {
    const next = reduce(this.state, event, { ...this.ctx, ...ctx });
    this.state = next.state;
    for (const effect of next.effects) {
      if (effect.kind === "send") this.sent.push(effect.message);
      if (effect.kind === "persist") this.stored.push(effect.record);
      if (effect.kind === "rubric") this.rubrics.push(effect.request);
      if (effect.kind === "consult") this.apply({ kind: "consulted", requestId: effect.request.id, result: {} }, ctx);
    }
  }
}

const start = (consent: boolean, maxQuestions: number | null = null): EngineEvent => ({
  kind: "start",
  message: { type: "start_session", consent, customQuestions: [BUG, BUG, BUG], ...(maxQuestions ? { maxQuestions } : {}) } as never,
  mint: { sessionId: "s-1", objectId: "o-1", resumeToken: "t", resumeTokenHash: "h", arm: { participantId: "p", group: "treatment", groupAssignment: "server", clientGroup: null }, turnCap: null },
});
const answer = (text: string): EngineEvent => ({ kind: "message", message: { type: "user_answer", answer: text, metrics: {} } });
const scored = (turn: number, result: Partial<RubricResult> = {}): EngineEvent => ({
  kind: "rubric_scored",
  sessionId: "s-1",
  turn,
  result: { scores: SCORES, model: "m", calls: [call], ...result },
});

describe("rubrics waited for (asked again by an object that lost the call)", () => {
  it("are kept from the ask until their result, whatever it gave; a failed one is not asked again", () => {
    const i = new Interview();
    i.apply(start(true));
    i.apply(answer(STRONG));
    i.apply(answer(STRONG));
    expect(rubricsToRescue(i.state.session, T0).map((r) => r.turn)).toEqual([1, 2]);
    i.apply(scored(1));
    i.apply(scored(2, { scores: null, calls: [{ ...call, outcome: "timeout" }] }));
    expect(rubricsToRescue(i.state.session, T0)).toEqual([]);
    expect(i.state.session!.rubricsAsked).toBeUndefined();
  });

  it("are bounded: the last few, and none older than the rescue window", () => {
    const i = new Interview();
    i.apply(start(true));
    for (let n = 0; n < RUBRICS_PENDING_KEPT + 2; n++) i.apply(answer(STRONG));
    expect(rubricsToRescue(i.state.session, T0)).toHaveLength(RUBRICS_PENDING_KEPT);
    expect(rubricsToRescue(i.state.session, T0 + RUBRIC_RESCUE_WINDOW_MS)).toEqual([]);
  });

  it("are not asked, nor kept, when the adapter asks no rubrics (no model, COACH_RUBRIC=off)", () => {
    const i = new Interview({ now: T0, random: () => 0, rubric: false });
    i.apply(start(true));
    i.apply(answer(STRONG));
    expect(i.rubrics).toEqual([]);
    expect(i.state.session!.rubricsAsked).toBeUndefined();
  });

  it("leave the state at an unconsented end (they hold the answer); with consent they stay for the result", () => {
    for (const consent of [false, true]) {
      const i = new Interview();
      i.apply(start(consent, 1));
      i.apply(answer(STRONG));
      expect(i.state.session!.ended).toBe(true);
      expect(rubricsToRescue(i.state.session, T0)).toHaveLength(consent ? 1 : 0);
    }
  });
});

describe("the model's rubric in the engine", () => {
  it("is asked for a real answer (not a non-answer), with the question it answered", () => {
    const i = new Interview();
    i.apply(start(true));
    i.apply(answer(STRONG));
    i.apply(answer("skip"));
    expect(i.rubrics).toEqual([{ sessionId: "s-1", turn: 1, question: BUG, answer: STRONG }]);
  });

  it("goes out as feedback_rubric after the turn's replies, is kept in the report score and stored with consent", () => {
    const i = new Interview();
    i.apply(start(true, 2));
    i.apply(answer(STRONG));
    const before = i.sent.length;
    i.apply(scored(1));
    const rubric = RubricMessageSchema.parse(i.sent.at(-1));
    expect(i.sent.length).toBe(before + 1);
    expect(rubric).toMatchObject({ type: "feedback_rubric", turn: 1, source: "model", model: "m", scores: { result: { score: 5 }, specificity: null } });
    expect(rubric.seq).toBe((i.sent[before - 1] as { seq: number }).seq + 1);
    const stored = i.stored.find((r) => r.kind === "feedback_rubric");
    expect(stored).toMatchObject({ turn: 1, rubric: SCORES, model: "m", score: { turn: 1, rubric: { result: { score: 5, quote: "“p99 dropped from 900 ms to 120 ms”" } } } });
    expect(i.stored.filter((r) => r.kind === "telemetry" && r.eventType === "llm_call").map((r) => (r as { payload: unknown }).payload)).toEqual([
      expect.objectContaining({ purpose: "rubric", turn: 1, outcome: "ok" }),
    ]);
    // The same turn scored twice (a retried delivery) changes nothing more.
    const count = i.sent.length;
    i.apply(scored(1));
    expect(i.sent.length).toBe(count);

    i.apply(answer(STRONG));
    const report = ReportMessageSchema.parse(i.sent.find((m) => m.type === "report"));
    // Quoted as the report's other quotes are.
    expect(report.answers[0]!.rubric).toEqual({
      situation: { score: 4, quote: "“checkout timed out every evening”" },
      task: { score: 3, quote: "“I had to find the cause”" },
      action: { score: 5, quote: "“I profiled it, found an N+1 query”" },
      result: { score: 5, quote: "“p99 dropped from 900 ms to 120 ms”" },
      relevance: { score: 4, quote: "“found an N+1 query”" },
    });
    expect(report.answers[1]!.rubric).toBeUndefined();
  });

  it("a failed or invalid rubric sends nothing and stores only its llm_call telemetry", () => {
    const i = new Interview();
    i.apply(start(true));
    i.apply(answer(STRONG));
    const sent = i.sent.length;
    const stored = i.stored.length;
    i.apply(scored(1, { scores: null, calls: [{ ...call, outcome: "invalid", detail: "unusable content" }] }));
    expect(i.sent.length).toBe(sent);
    expect(i.stored.slice(stored)).toEqual([expect.objectContaining({ kind: "telemetry", eventType: "llm_call", payload: expect.objectContaining({ purpose: "rubric", outcome: "invalid" }) })]);
  });

  it("without consent is shown but not stored; a rubric for another session or an unknown turn is ignored", () => {
    const i = new Interview();
    i.apply(start(false));
    i.apply(answer(STRONG));
    i.apply({ ...scored(1), sessionId: "other" } as EngineEvent);
    i.apply(scored(7));
    expect(i.sent.some((m) => m.type === "feedback_rubric")).toBe(false);
    i.apply(scored(1));
    expect(i.sent.at(-1)).toMatchObject({ type: "feedback_rubric", turn: 1 });
    expect(i.stored.every((r) => r.kind === "session")).toBe(true);
  });

  it("after the end is stored with consent but not sent (the socket is closed)", () => {
    const i = new Interview();
    i.apply(start(true, 1));
    i.apply(answer(STRONG));
    expect(i.sent.at(-1)).toMatchObject({ type: "session_ended" });
    i.apply(scored(1));
    expect(i.sent.at(-1)).toMatchObject({ type: "session_ended" });
    expect(i.stored.at(-1)).toMatchObject({ kind: "feedback_rubric", turn: 1 });
  });
});

describe("the report at the end", () => {
  it("compares with the earlier sessions the adapter passes in ctx.earlier", () => {
    const earlier: EarlierSessions = { sessions: 2, earlier: { starScore: 1, numbers: 0, relevance: 0.1, hedges: 3 } };
    const i = new Interview();
    i.apply(start(true, 1));
    i.apply(answer(STRONG), { earlier });
    const report = ReportMessageSchema.parse(i.sent.find((m) => m.type === "report"));
    expect(report.earlier).toEqual({ sessions: 2, earlier: earlier.earlier, thisSession: { starScore: 4, numbers: 2, relevance: report.answers[0]!.relevance, hedges: 0 } });
  });

  it("without consent drops the answers' scores (with their quotes) from the state once the report is sent", () => {
    const i = new Interview();
    i.apply(start(false, 1));
    i.apply(answer(STRONG));
    expect(i.sent.some((m) => m.type === "report")).toBe(true);
    expect(i.state.session!.scores).toBeUndefined();
    expect(JSON.stringify(i.state)).not.toContain("p99");
  });

  it("with consent keeps them (GET /sessions/:id/report reads them from the object)", () => {
    const i = new Interview();
    i.apply(start(true, 1));
    i.apply(answer(STRONG));
    expect(i.state.session!.scores).toHaveLength(1);
  });
});
