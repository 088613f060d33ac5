/**
 * The reducer's flows, driven directly with a fixed clock and a scripted random source:
 * session start, the answer/follow-up alternation, question sources and their order,
 * model content versus heuristics, end rules, consent, and record keys. Content rules of
 * tips, intents and non-answers have their own test files.
 */
import { describe, expect, it } from "vitest";
import type { PersistRecord, ServerMessage } from "@interview/shared";
import { initialState, reduce } from "../../src/engine/engine.ts";
import { fallbackQuestion } from "../../src/engine/question-packs.ts";
import type { CoachMode, ConsultRequest, ConsultResult, Effect, EngineEvent, InterviewState, StartMint } from "../../src/engine/types.ts";

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

class Harness {
  state: InterviewState = initialState("ready-id");
  now = T0;
  effects: Effect[] = [];
  /** Answers every consult with this, unless a test overrides it. */
  model: (request: ConsultRequest) => ConsultResult = () => ({});
  /** How tips are chosen (`COACH`); the engine's default when unset. */
  coach: CoachMode | undefined = undefined;

  dispatch(event: EngineEvent): Effect[] {
    // Frozen: reduce must never change its input (it shares what it does not change).
    const { state, effects } = reduce(deepFreeze(this.state), event, { now: this.now, random: () => 0, ...(this.coach ? { coach: this.coach } : {}) });
    this.state = state;
    this.effects.push(...effects);
    const out = [...effects];
    for (const effect of effects) {
      if (effect.kind === "consult") {
        out.push(...this.dispatch({ kind: "consulted", requestId: effect.request.id, result: this.model(effect.request) }));
      }
    }
    return out;
  }

  start(fields: Record<string, unknown> = {}, mint: Partial<StartMint> = {}): ServerMessage[] {
    const message = { type: "start_session", ...fields } as never;
    // The registry's answer for a newcomer where client groups are allowed (participant-arm.test.ts has the rules).
    const named = fields.group as "control" | "treatment" | undefined;
    const arm: StartMint["arm"] = named
      ? { participantId: "p-1", group: named, groupAssignment: "client", clientGroup: "used" }
      : { participantId: "p-1", group: "treatment", groupAssignment: "server", clientGroup: null };
    return sent(
      this.dispatch({
        kind: "start",
        message,
        mint: {
          sessionId: "s-1",
          objectId: "o-1",
          resumeToken: "o-1.secret",
          resumeTokenHash: "hash",
          arm,
          turnCap: null,
          ...mint,
        } as StartMint,
      }),
    );
  }

  send(message: Record<string, unknown>): ServerMessage[] {
    return sent(this.dispatch({ kind: "message", message: message as never }));
  }

  answer(answer: string, metrics: Record<string, number | null> = {}): ServerMessage[] {
    return this.send({ type: "user_answer", answer, metrics });
  }

  records(): PersistRecord[] {
    return this.effects.flatMap((e) => (e.kind === "persist" ? [e.record] : []));
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The messages sent, without `seq` (its numbering has its own tests). */
const sent = (effects: Effect[]): ServerMessage[] =>
  effects.flatMap((e) => {
    if (e.kind !== "send") return [];
    const { seq: _seq, ...message } = e.message;
    return [message as ServerMessage];
  });
const types = (messages: ServerMessage[]) => messages.map((m) => m.type);
const LONG_ANSWER =
  "I led the migration of our billing service to a queue-based design, which cut failed charges by 35% and saved about 40 hours of manual fixes every month.";

describe("connect and start", () => {
  it("connect announces session_ready with the neutral style and the protocol version", () => {
    const h = new Harness();
    expect(sent(h.dispatch({ kind: "connected" }))).toEqual([
      { type: "session_ready", session_id: "ready-id", style: "neutral", protocol: 1 },
    ]);
  });

  it("start sends session_started then the first question (no preface), writes session + meta rows, arms the deadline", () => {
    const h = new Harness();
    const out = h.start({ style: "cold", durationSeconds: 45, maxQuestions: 99.7, consent: true });
    expect(types(out)).toEqual(["session_started", "question"]);
    expect(out[0]).toMatchObject({
      session_id: "s-1",
      style: "cold",
      group: "treatment",
      groupAssignment: "server",
      maxQuestions: 50,
      durationSeconds: 45,
      resumeToken: "o-1.secret",
      adjusted: [{ field: "maxQuestions", given: 99.7, used: 50, reason: "above_maximum" }],
    });
    expect(out[1]).toEqual({
      type: "question",
      turn: 0,
      question: fallbackQuestion("swe_behavioral", "standard", 0),
      style: "cold",
      source: "fallback",
      preface: null,
    });
    expect(h.effects).toContainEqual({ kind: "schedule", at: T0 + 45_000 });
    const kinds = h.records().map((r) => (r.kind === "telemetry" ? r.eventType : r.kind));
    expect(kinds).toEqual(["session", "session_meta", "question"]);
    expect(h.records()[0]).toMatchObject({ kind: "session", consented: true, resumeTokenHash: "hash", objectId: "o-1" });
  });

  it("invalid lenient fields fall back to defaults, and consent needs an explicit yes", () => {
    for (const consent of ["false", "no", 0, null, {}]) {
      const h = new Harness();
      const [started] = h.start({ style: "loud", pack: "cooking", difficulty: "insane", maxQuestions: "many", durationSeconds: 5, consent });
      expect(started).toMatchObject({
        style: "neutral",
        pack: "swe_behavioral",
        difficulty: "standard",
        maxQuestions: null,
        durationSeconds: 30,
        consent: false,
        adjusted: [
          { field: "style", given: "loud", used: "neutral", reason: "unknown_value" },
          { field: "pack", given: "cooking", used: "swe_behavioral", reason: "unknown_value" },
          { field: "difficulty", given: "insane", used: "standard", reason: "unknown_value" },
          { field: "maxQuestions", given: "many", used: null, reason: "not_an_integer" },
          { field: "durationSeconds", given: 5, used: 30, reason: "below_minimum" },
        ],
      });
    }
    expect(new Harness().start({ style: "cold", pack: "leadership", maxQuestions: 3, durationSeconds: "600" })[0]).toMatchObject({ adjusted: [] });
    expect(new Harness().start()[0]).toMatchObject({ adjusted: [] });
    for (const consent of [true, "true", "yes", 1]) {
      expect(new Harness().start({ consent })[0]).toMatchObject({ consent: true });
    }
  });

  it("the first main question asks the model for a question with no history", () => {
    const h = new Harness();
    const seen: ConsultRequest[] = [];
    h.model = (request) => {
      seen.push(request);
      return { question: "What is the riskiest change you have shipped?" };
    };
    const out = h.start({ pack: "leadership", difficulty: "hard" });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ turn: 0, pack: "leadership", difficulty: "hard", history: [], nextQuestion: { previousQuestion: null } });
    expect(seen[0]!.coaching).toBeUndefined();
    expect(out[1]).toMatchObject({ source: "llm", question: "What is the riskiest change you have shipped?" });
  });
});

describe("answers", () => {
  it("alternate follow-up and main question with the seed's reply order and turn labels", () => {
    const h = new Harness();
    h.start();
    const first = h.answer(LONG_ANSWER);
    // `feedback` (the coach's analysis) follows the tips; the seed's order is otherwise kept.
    expect(types(first)).toEqual(["tips", "feedback", "question", "interviewer_message"]);
    expect(first[0]).toMatchObject({ turn: 1 });
    expect(first[1]).toMatchObject({ turn: 1, delivery: null });
    expect(first[2]).toMatchObject({ turn: 1, source: "follow_up" });
    expect(first[3]).toMatchObject({ turn: 1, message: (first[2] as { question: string }).question });
    const second = h.answer(LONG_ANSWER);
    expect(types(second)).toEqual(["tips", "feedback", "question"]);
    expect(second[2]).toMatchObject({ turn: 2, source: "fallback", question: fallbackQuestion("swe_behavioral", "standard", 1) });
  });

  it("rotates the fallback bank over all six items by main-question count", () => {
    const h = new Harness();
    const asked = [(h.start()[1] as { question: string }).question];
    for (let i = 0; i < 12; i++) {
      const out = h.answer(LONG_ANSWER);
      const question = out.find((m) => m.type === "question") as { question: string; source: string };
      if (question.source === "fallback") asked.push(question.question);
    }
    expect(asked).toEqual([0, 1, 2, 3, 4, 5, 0].map((i) => fallbackQuestion("swe_behavioral", "standard", i)));
  });

  it("serves custom questions first, in order, then the bank, and never asks the model while the queue lasts", () => {
    const h = new Harness();
    const asks: ConsultRequest[] = [];
    h.model = (request) => {
      asks.push(request);
      return {};
    };
    const start = h.start({ customQuestions: ["First custom", "Second custom?"] });
    expect(start[1]).toMatchObject({ source: "custom", question: "First custom?" });
    expect(asks).toHaveLength(0);
    h.answer(LONG_ANSWER);
    const main = h.answer(LONG_ANSWER);
    expect(main[2]).toMatchObject({ source: "custom", question: "Second custom?" });
    expect(asks.every((a) => a.nextQuestion === undefined)).toBe(true);
    h.answer(LONG_ANSWER);
    const third = h.answer(LONG_ANSWER);
    expect(third[2]).toMatchObject({ source: "fallback", question: fallbackQuestion("swe_behavioral", "standard", 2) });
    expect(asks.at(-1)!.nextQuestion).toEqual({ previousQuestion: expect.any(String), mainQuestionIndex: 2 });
  });

  it("uses the model's follow-up and tips as given (tips not prefixed), and caps tips at two", () => {
    const h = new Harness();
    h.start({ style: "cold" });
    h.model = () => ({
      coaching: {
        followUp: "  Which number moved first?  ",
        tips: [
          { summary: "Lead with the result", detail: "Say the outcome first." },
          { summary: " ", detail: "dropped: empty summary" },
          { summary: "Pause", detail: "Breathe after the number." },
          { summary: "Third", detail: "Never shown." },
        ],
      },
    });
    const out = h.answer(LONG_ANSWER);
    expect(out[0]).toEqual({
      type: "tips",
      turn: 1,
      items: [
        { summary: "Lead with the result", detail: "Say the outcome first." },
        { summary: "Pause", detail: "Breathe after the number." },
      ],
    });
    expect(out[2]).toMatchObject({ source: "follow_up", question: "Which number moved first?" });
  });

  it("overrides the model's follow-up for a non-answer but keeps its tips (seed §4.4)", () => {
    const h = new Harness();
    h.start({ style: "supportive" });
    h.model = () => ({ coaching: { followUp: "Tell me more about the metrics.", tips: [{ summary: "S", detail: "D" }] } });
    const out = h.answer("I don't know");
    expect(out[0]).toMatchObject({ items: [{ summary: "S", detail: "D" }] });
    expect((out[2] as { question: string }).question).not.toBe("Tell me more about the metrics.");
    expect(out[2]).toMatchObject({ source: "follow_up", preface: "No worries." });
  });

  it("falls back to the seed's heuristic tips with the style prefix when the model gives none (COACH=seed)", () => {
    const h = new Harness();
    h.coach = "seed";
    h.start({ style: "cold" });
    const out = h.answer("Short.");
    const items = (out[0] as { items: { detail: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.detail.startsWith("Direct: ")).toBe(true);
  });

  it("consult requests carry coaching context, the last three pairs, and a next question only when one is due", () => {
    const h = new Harness();
    const asks: ConsultRequest[] = [];
    h.model = (request) => {
      asks.push(request);
      return {};
    };
    h.start();
    for (let i = 1; i <= 5; i++) h.answer(`answer ${i}`, { speakingRate: 150 });
    const answers = asks.filter((a) => a.coaching);
    expect(answers.map((a) => a.turn)).toEqual([1, 2, 3, 4, 5]);
    expect(answers.map((a) => a.nextQuestion !== undefined)).toEqual([false, true, false, true, false]);
    expect(answers[4]!.history.map((p) => p.answer)).toEqual(["answer 3", "answer 4", "answer 5"]);
    expect(answers[4]!.coaching).toMatchObject({ answer: "answer 5", metrics: { speakingRate: 150, pauseRatio: null } });
  });

  it("stores each answer with its metrics, style and group, and measures the turn latency", () => {
    const h = new Harness();
    h.start({ group: "control", consent: true });
    h.model = () => {
      h.now += 250;
      return {};
    };
    h.answer(LONG_ANSWER, { speakingRate: 150, pauseRatio: 0.2, gaze: 70, fillers: 2 });
    const answer = h.records().find((r) => r.kind === "answer");
    expect(answer).toMatchObject({ turn: 1, answer: LONG_ANSWER, style: "neutral", group: "control", speakingRate: 150, fillers: 2 });
    const latency = h.records().find((r) => r.kind === "telemetry" && r.eventType === "turn_latency");
    expect(latency).toMatchObject({ latencyMs: 250, payload: { turn: 1 } });
  });
});

describe("ending", () => {
  it("ends after maxQuestions answers with tips first, then session_ended, telemetry, schedule off, close", () => {
    const h = new Harness();
    h.start({ maxQuestions: 1, style: "cold" });
    h.effects = [];
    const out = h.answer(LONG_ANSWER);
    expect(types(out)).toEqual(["tips", "feedback", "report", "session_ended"]);
    expect(out[3]).toMatchObject({ session_id: "s-1", turn: 1, reason: "max_questions" });
    expect(h.effects.filter((e) => e.kind === "schedule" || e.kind === "close")).toEqual([
      { kind: "schedule", at: null },
      { kind: "close", code: 1000, reason: "session ended: max_questions" },
    ]);
    expect(h.send({ type: "ping" })).toEqual([{ type: "pong" }]);
    expect(h.answer("more")).toMatchObject([{ type: "error", code: "session_ended" }]);
  });

  it("a frame after the deadline ends the session instead of being processed", () => {
    const h = new Harness();
    h.start({ durationSeconds: 30 });
    h.now = T0 + 30_000;
    expect(h.answer(LONG_ANSWER)).toMatchObject([{ type: "session_ended", reason: "time_limit", turn: 0 }]);
  });

  it("the deadline passing during a turn ends it after the tips", () => {
    const h = new Harness();
    h.start({ durationSeconds: 30 });
    h.now = T0 + 29_000;
    h.model = () => {
      h.now = T0 + 31_000;
      return {};
    };
    expect(types(h.answer(LONG_ANSWER))).toEqual(["tips", "feedback", "report", "session_ended"]);
  });

  it("alarm ends an idle session at the deadline, and re-arms when early", () => {
    const h = new Harness();
    h.start({ durationSeconds: 60 });
    h.now = T0 + 10_000;
    expect(h.dispatch({ kind: "alarm" })).toEqual([{ kind: "schedule", at: T0 + 60_000 }]);
    h.now = T0 + 60_000;
    expect(sent(h.dispatch({ kind: "alarm" }))).toMatchObject([{ type: "session_ended", reason: "time_limit" }]);
    expect(h.dispatch({ kind: "alarm" })).toEqual([]);
  });

  it("switch_style answers style_switched, then ends if the limit was reached, else asks a main question", () => {
    const h = new Harness();
    h.start({ maxQuestions: 2 });
    h.answer(LONG_ANSWER);
    const switched = h.send({ type: "switch_style", style: "supportive" });
    expect(types(switched)).toEqual(["style_switched", "question"]);
    expect(switched[1]).toMatchObject({ turn: 1, style: "supportive", source: "fallback" });
    expect(h.state.session!.awaitingFollowUp).toBe(true);
    h.answer(LONG_ANSWER);
    const late = new Harness();
    late.start({ maxQuestions: 1 });
    late.state.session!.turn = 1;
    expect(types(late.send({ type: "switch_style", style: "cold" }))).toEqual(["style_switched", "session_ended"]);
  });
});

describe("clarifications, check-ins, telemetry", () => {
  it("uses the model's clarification, else the fallback; truncates to the seed's limits", () => {
    const h = new Harness();
    h.start();
    h.model = () => ({ clarification: "x".repeat(2_000) });
    const [llm] = h.send({ type: "user_clarification", question: "Any scope?" });
    expect(llm).toMatchObject({ type: "clarification", source: "llm", turn: 0 });
    expect((llm as { message: string }).message).toHaveLength(1_400);
    h.model = () => ({ clarification: "   " });
    const [fallback] = h.send({ type: "user_clarification", question: "Any scope?" });
    expect(fallback).toMatchObject({ source: "fallback" });
    expect(h.state.session!.turn).toBe(0);
  });

  it("check-ins take the group override; telemetry stores the client's payload", () => {
    const h = new Harness();
    h.start({ group: "treatment", consent: true });
    expect(h.send({ type: "checkin", group: "control", confidence: 4, stress: 1 })).toEqual([{ type: "checkin_logged" }]);
    expect(h.send({ type: "telemetry", event: "latency", latencyMs: 420, data: { turn: 1 } })).toEqual([]);
    const rows = h.records();
    expect(rows).toContainEqual(expect.objectContaining({ kind: "checkin", group: "control", confidence: 4, stress: 1 }));
    expect(rows).toContainEqual(expect.objectContaining({ kind: "telemetry", eventType: "latency", latencyMs: 420, payload: { turn: 1 } }));
  });

  it("a late answer to an old consult is ignored", () => {
    const h = new Harness();
    h.start();
    const before = structuredClone(h.state);
    expect(h.dispatch({ kind: "consulted", requestId: 999, result: { question: "Stale?" } })).toEqual([]);
    expect(h.state).toEqual(before);
  });
});

describe("consent and records", () => {
  it("without consent only the session row is written, yet the interview runs", () => {
    const h = new Harness();
    h.start({ consent: false });
    h.answer(LONG_ANSWER);
    h.send({ type: "checkin", confidence: 3, stress: 3 });
    h.send({ type: "telemetry", event: "latency", latencyMs: 5 });
    expect(h.records().map((r) => r.kind)).toEqual(["session"]);
    expect(h.records()[0]).toMatchObject({ consented: false });
  });

  it("without consent the fairness fields are not kept on the session row", () => {
    const without = new Harness();
    without.start({ consent: false, accent: "Irish", notes: "dyslexic" });
    expect(without.records()[0]).toMatchObject({ accent: null, notes: null });
    const withConsent = new Harness();
    withConsent.start({ consent: true, accent: "Irish", notes: "dyslexic" });
    expect(withConsent.records()[0]).toMatchObject({ accent: "Irish", notes: "dyslexic" });
  });

  it("record keys are unique and sequential per session, and a restart keys the new session apart", () => {
    const h = new Harness();
    h.start({ consent: true });
    h.answer(LONG_ANSWER);
    h.start({ consent: true }, { sessionId: "s-2" });
    const keys = h.records().map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.filter((k) => k.startsWith("s-1:"))).toEqual(keys.filter((k) => k.startsWith("s-1:")).map((_, i) => `s-1:${i}`));
    expect(keys.filter((k) => k.startsWith("s-2:"))[0]).toBe("s-2:0");
  });
});

describe("measurements from outside the socket", () => {
  it("stores the server's STT latency for the current session, with its group, and nothing for another id", () => {
    const h = new Harness();
    h.start({ consent: true, group: "control" });
    h.dispatch({ kind: "measured", sessionId: "s-1", eventType: "stt", latencyMs: 321, payload: { language: "en", duration: 4.2 } });
    h.dispatch({ kind: "measured", sessionId: "other", eventType: "stt", latencyMs: 999, payload: {} });
    const stt = h.records().filter((r) => r.kind === "telemetry" && r.eventType === "stt");
    expect(stt).toEqual([expect.objectContaining({ latencyMs: 321, group: "control", payload: { language: "en", duration: 4.2 } })]);
  });

  it("keeps nothing without consent", () => {
    const h = new Harness();
    h.start({ consent: false });
    h.dispatch({ kind: "measured", sessionId: "s-1", eventType: "stt", latencyMs: 5, payload: {} });
    expect(h.records().map((r) => r.kind)).toEqual(["session"]);
  });
});

describe("check-ins reported over HTTP", () => {
  it("are stored with the sender's idempotency key, the session's group by default, even after the end", () => {
    const h = new Harness();
    h.start({ consent: true, group: "control", maxQuestions: 1 });
    h.answer(LONG_ANSWER);
    expect(h.state.session!.ended).toBe(true);
    h.dispatch({ kind: "checkin_reported", sessionId: "s-1", group: null, confidence: 6, stress: 2, key: "http:checkin:s-1:abc" });
    h.dispatch({ kind: "checkin_reported", sessionId: "s-1", group: "treatment", confidence: 1, stress: 1, key: "http:x" });
    h.dispatch({ kind: "checkin_reported", sessionId: "other", group: null, confidence: 1, stress: 1, key: "http:y" });
    const checkins = h.records().filter((r) => r.kind === "checkin");
    expect(checkins).toEqual([
      expect.objectContaining({ key: "http:checkin:s-1:abc", group: "control", confidence: 6, stress: 2 }),
      expect.objectContaining({ key: "http:x", group: "treatment" }),
    ]);
  });

  it("are not stored without consent", () => {
    const h = new Harness();
    h.start({ consent: false });
    h.dispatch({ kind: "checkin_reported", sessionId: "s-1", group: null, confidence: 6, stress: 2, key: "k" });
    expect(h.records().map((r) => r.kind)).toEqual(["session"]);
  });
});

describe("model turn cap", () => {
  it("refuses the answer over the cap with retryAfter, stores nothing for it, and allows again once the window slides", () => {
    const h = new Harness();
    h.start({ consent: true }, { turnCap: 2 });
    h.answer("First answer with 3 numbers.");
    h.answer("Second answer, 40% faster.");
    const refused = h.answer("Third answer too soon.");
    expect(refused).toEqual([expect.objectContaining({ type: "error", code: "rate_limited", retryAfter: 60 })]);
    expect(h.records().filter((r) => r.kind === "answer")).toHaveLength(2);
    h.now += 30_000;
    expect(h.answer("Still too soon.")[0]).toMatchObject({ code: "rate_limited", retryAfter: 30 });
    h.now += 30_000;
    expect(h.answer("Now it counts.")[0]).toMatchObject({ type: "tips", turn: 3 });
  });

  it("counts clarifications and style switches, not check-ins or pings", () => {
    const h = new Harness();
    h.start({}, { turnCap: 2 });
    h.send({ type: "checkin", confidence: 3, stress: 3 });
    h.send({ type: "ping" });
    h.send({ type: "user_clarification", question: "What scale?" });
    h.send({ type: "switch_style", style: "cold" });
    expect(h.answer("An answer.")[0]).toMatchObject({ code: "rate_limited" });
  });

  it("has no cap when the deployment turned limits off", () => {
    const h = new Harness();
    h.start({}, { turnCap: null });
    for (let i = 1; i <= 30; i++) expect(h.answer(`Answer ${i}.`)[0]).toMatchObject({ type: "tips", turn: i });
  });
});

describe("sequence numbers and client message ids", () => {
  const seqs = (effects: Effect[]) => effects.flatMap((e) => (e.kind === "send" ? [[e.message.type, e.message.seq]] : []));

  it("numbers a session's messages from session_started on, not session_ready, session_resumed or pre-session errors", () => {
    const h = new Harness();
    expect(seqs(h.dispatch({ kind: "connected" }))).toEqual([["session_ready", undefined]]);
    expect(seqs(h.dispatch({ kind: "message", message: { type: "user_answer", answer: "x", metrics: {} } as never }))).toEqual([["error", undefined]]);
    h.start({});
    expect(seqs(h.dispatch({ kind: "message", message: { type: "user_answer", answer: "An answer.", metrics: {} } as never }))).toEqual([
      ["tips", 3],
      ["feedback", 4],
      ["question", 5],
      ["interviewer_message", 6],
    ]);
    expect(seqs(h.dispatch({ kind: "resumed" }))).toEqual([["session_resumed", undefined]]);
    expect(h.state.session?.sentSeq).toBe(6);
    expect(sent(h.dispatch({ kind: "resumed" }))[0]).toMatchObject({ lastSeq: 6 });
  });

  it("applies a message id once: ack first, then the replies; the same id again is only acknowledged", () => {
    const h = new Harness();
    h.start({ consent: true });
    expect(types(h.send({ type: "user_answer", id: "a-1", answer: "First.", metrics: {} }))).toEqual(["ack", "tips", "feedback", "question", "interviewer_message"]);
    expect(h.send({ type: "user_answer", id: "a-1", answer: "First.", metrics: {} })).toEqual([{ type: "ack", id: "a-1", duplicate: true }]);
    expect(h.records().filter((r) => r.kind === "answer")).toHaveLength(1);
    expect(types(h.send({ type: "checkin", id: "c-1", confidence: 4, stress: 4 }))).toEqual(["ack", "checkin_logged"]);
    expect(types(h.send({ type: "checkin", id: "c-1", confidence: 4, stress: 4 }))).toEqual(["ack"]);
  });

  it("does not remember the id of a message refused by the turn cap, so its retry is applied", () => {
    const h = new Harness();
    h.start({}, { turnCap: 1 });
    h.answer("One.");
    expect(h.send({ type: "user_answer", id: "late", answer: "Two.", metrics: {} })[0]).toMatchObject({ code: "rate_limited" });
    h.now += 60_000;
    expect(types(h.send({ type: "user_answer", id: "late", answer: "Two.", metrics: {} }))[0]).toBe("ack");
    expect(h.send({ type: "user_answer", id: "late", answer: "Two.", metrics: {} })).toEqual([{ type: "ack", id: "late", duplicate: true }]);
  });
});
