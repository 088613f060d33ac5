/**
 * The interview engine: `reduce(state, event, ctx)` returns the next state and the effects
 * to carry out, in order. No I/O: the adapter sends, stores, schedules and consults the
 * interviewer model; time and chance come in through `ctx`.
 *
 * Model content arrives in two steps. When a reply needs the model (coaching, a new main
 * question, a clarification), the engine emits one `consult` effect and parks the rest of
 * the turn in `state.pending`; the adapter answers with a `consulted` event, possibly with
 * nothing in it, and the heuristics fill whatever the model did not give. Because the
 * pending turn is part of the state, an object evicted mid-turn can re-run it.
 */
import {
  HISTORY_PAIRS_FOR_LLM,
  HISTORY_PAIRS_KEPT,
  PROTOCOL_VERSION,
  errorBody,
  isReservedTelemetryEvent,
  type AnswerMetrics,
  type ClientMessage,
  type EndReason,
  type ErrorCode,
  type PersistRecord,
  type QuestionOut,
  type QuestionSource,
  type ServerMessage,
  type SessionSnapshot,
  type Tip,
} from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { fallbackQuestion } from "./question-packs.ts";
import { heuristicTips } from "./coaching.ts";
import { pickFollowUp } from "./follow-up-intents.ts";
import { isNonAnswer } from "./non-answer.ts";
import { pickPreface } from "./preface.ts";
import { clarificationText, fallbackClarification, guardrailReply, isAnswerSeeking } from "./clarification.ts";
import { clarificationLimits } from "./clarification-limits.ts";
import { sessionOptions } from "./session-options.ts";
import type {
  ConsultRequest,
  ConsultResult,
  Effect,
  EngineContext,
  EngineEvent,
  InterviewState,
  LlmCallReport,
  PendingConsult,
  SessionState,
  StartMint,
  Transition,
} from "./types.ts";

type MessageOf<T extends ClientMessage["type"]> = Extract<ClientMessage, { type: T }>;

export function initialState(readyId: string): InterviewState {
  return { readyId, session: null, pending: null, nextConsultId: 1 };
}

/** Collects effects while a handler works on a private copy of the state. */
class Step {
  readonly effects: Effect[] = [];
  constructor(
    public state: InterviewState,
    readonly ctx: EngineContext,
  ) {}
  send(message: ServerMessage): void {
    this.effects.push({ kind: "send", message });
  }
  error(code: ErrorCode, message?: string): void {
    this.send({ type: "error", ...errorBody(code, message) });
  }
  /** Without consent only the session row is kept (decisions.md, Add). */
  persist(session: SessionState, record: DistributiveOmit<PersistRecord, "key" | "sessionId" | "createdAt">): void {
    if (!session.consent && record.kind !== "session") return;
    const key = `${session.id}:${session.seq}`;
    session.seq += 1;
    this.effects.push({
      kind: "persist",
      record: { ...record, key, sessionId: session.id, createdAt: this.ctx.now } as PersistRecord,
    });
  }
  telemetry(session: SessionState, eventType: string, payload: unknown, latencyMs: number | null = null): void {
    this.persist(session, { kind: "telemetry", eventType, payload, latencyMs, group: session.group });
  }
  result(): Transition {
    return { state: this.state, effects: this.effects };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function reduce(state: InterviewState, event: EngineEvent, ctx: EngineContext): Transition {
  const step = new Step(structuredClone(state), ctx);
  switch (event.kind) {
    case "connected":
      step.send({ type: "session_ready", session_id: state.readyId, style: "neutral", protocol: PROTOCOL_VERSION });
      break;
    case "resumed":
      onResumed(step);
      break;
    case "start":
      startSession(step, event.message, event.mint);
      break;
    case "message":
      onMessage(step, event.message);
      break;
    case "consulted":
      onConsulted(step, event.requestId, event.result);
      break;
    case "alarm":
      onAlarm(step);
      break;
    case "measured": {
      // Only the interview's current session is labelled here; consent rules as for any row.
      const s = step.state.session;
      if (s && s.id === event.sessionId) step.telemetry(s, event.eventType, event.payload, event.latencyMs);
      break;
    }
  }
  return step.result();
}

function snapshot(s: SessionState): SessionSnapshot {
  return {
    session_id: s.id,
    style: s.style,
    turn: s.turn,
    group: s.group,
    consent: s.consent,
    pack: s.pack,
    difficulty: s.difficulty,
    maxQuestions: s.maxQuestions,
    durationSeconds: s.durationSeconds,
    customQuestionCount: s.customQuestionCount,
  };
}

function onResumed(step: Step): void {
  const s = step.state.session;
  if (!s) return;
  step.send({
    type: "session_resumed",
    ...snapshot(s),
    question: s.lastQuestion,
    awaitingFollowUp: s.awaitingFollowUp,
    secondsLeft: s.deadline === null ? null : Math.max(0, Math.round((s.deadline - step.ctx.now) / 1000)),
  });
}

function startSession(step: Step, message: MessageOf<"start_session">, mint: StartMint): void {
  const options = sessionOptions(message);
  const group = message.group ?? mint.assignedGroup;
  const s: SessionState = {
    id: mint.sessionId,
    objectId: mint.objectId,
    style: options.style,
    group,
    groupAssignment: message.group ? "client" : "server",
    consent: options.consent,
    accent: options.accent,
    notes: options.notes,
    pack: options.pack,
    difficulty: options.difficulty,
    maxQuestions: options.maxQuestions,
    durationSeconds: options.durationSeconds,
    customQuestionCount: options.customQuestions.length,
    customQueue: [...options.customQuestions],
    startedAt: step.ctx.now,
    deadline: options.durationSeconds === null ? null : step.ctx.now + options.durationSeconds * 1000,
    turn: 0,
    lastQuestion: null,
    history: [],
    awaitingFollowUp: false,
    mainQuestionCount: 0,
    ended: false,
    stream: options.stream,
    resumeTokenHash: mint.resumeTokenHash,
    seq: 0,
  };
  step.state.session = s;
  step.state.pending = null;
  step.persist(s, {
    kind: "session",
    style: s.style,
    group: s.group,
    groupAssignment: s.groupAssignment,
    consented: s.consent,
    // Fairness fields describe the person: without consent they are not kept either.
    accent: s.consent ? s.accent : null,
    notes: s.consent ? s.notes : null,
    resumeTokenHash: s.resumeTokenHash,
    objectId: s.objectId,
  });
  step.telemetry(s, "session_meta", {
    pack: s.pack,
    difficulty: s.difficulty,
    max_questions: s.maxQuestions,
    duration_seconds: s.durationSeconds,
    custom_questions: options.customQuestions,
    group_assignment: s.groupAssignment,
  });
  step.effects.push({ kind: "schedule", at: s.deadline });
  step.send({
    type: "session_started",
    ...snapshot(s),
    resumeToken: mint.resumeToken,
    groupAssignment: s.groupAssignment,
  });
  askMainQuestion(step, s, (request) => ({ kind: "first_question", request }));
}

function onMessage(step: Step, message: Exclude<ClientMessage, { type: "start_session" }>): void {
  if (message.type === "ping") {
    step.send({ type: "pong" });
    return;
  }
  const s = step.state.session;
  if (!s) {
    step.error("no_session");
    return;
  }
  if (s.ended) {
    step.error("session_ended");
    return;
  }
  // The seed checks the deadline before reading each frame: a late frame ends the session.
  if (deadlinePassed(s, step.ctx.now)) {
    endSession(step, s, "time_limit");
    return;
  }
  switch (message.type) {
    case "user_answer":
      onAnswer(step, s, message);
      break;
    case "user_clarification":
      onClarification(step, s, message);
      break;
    case "switch_style":
      onSwitchStyle(step, s, message);
      break;
    case "checkin":
      step.persist(s, {
        kind: "checkin",
        group: message.group ?? s.group,
        confidence: message.confidence,
        stress: message.stress,
      });
      step.send({ type: "checkin_logged" });
      break;
    case "telemetry":
      if (isReservedTelemetryEvent(message.event)) {
        step.error("reserved_event", `Telemetry event "${message.event}" is written by the server only; nothing was stored.`);
        break;
      }
      step.telemetry(s, message.event, message.data ?? {}, message.latencyMs ?? null);
      break;
  }
}

function onAnswer(step: Step, s: SessionState, message: MessageOf<"user_answer">): void {
  const answer = message.answer;
  const metrics = knownMetrics(message.metrics);
  const answeredQuestion = s.lastQuestion?.question ?? fallbackQuestion(s.pack, s.difficulty, s.mainQuestionCount);
  s.turn += 1;
  step.persist(s, {
    kind: "answer",
    turn: s.turn,
    answer,
    style: s.style,
    group: s.group,
    speakingRate: metrics.speakingRate ?? null,
    pauseRatio: metrics.pauseRatio ?? null,
    gaze: metrics.gaze ?? null,
    fillers: metrics.fillers ?? null,
  });
  s.history = [...s.history, { question: answeredQuestion, answer }].slice(-HISTORY_PAIRS_KEPT);
  const wasFollowUp = s.awaitingFollowUp;
  // A main question is needed next only when this answered a follow-up and the session goes on.
  const needsMainQuestion = wasFollowUp && !endReason(s, step.ctx.now) && s.customQueue.length === 0;
  const request = consultRequest(step, s, {
    coaching: { question: answeredQuestion, answer, metrics },
    ...(needsMainQuestion ? { nextQuestion: nextQuestionContext(s) } : {}),
  });
  park(step, {
    kind: "answer",
    request,
    answer,
    metrics,
    answeredQuestion,
    wasFollowUp,
    receivedAt: step.ctx.now,
  });
}

function onClarification(step: Step, s: SessionState, message: MessageOf<"user_clarification">): void {
  const text = clarificationText(message);
  if (text === "") {
    step.error("empty_clarification");
    return;
  }
  if (!s.lastQuestion) {
    step.error("no_prompt");
    return;
  }
  const { prompt, question } = clarificationLimits(s.lastQuestion.question, text);
  if (isAnswerSeeking(question)) {
    sendClarification(step, s, prompt, question, guardrailReply(s.style, prompt), "guardrail");
    return;
  }
  const request = consultRequest(step, s, { clarification: { prompt, question } });
  park(step, { kind: "clarification", request, prompt, question });
}

function onSwitchStyle(step: Step, s: SessionState, message: MessageOf<"switch_style">): void {
  s.style = message.style;
  step.send({ type: "style_switched", style: s.style });
  const reason = endReason(s, step.ctx.now);
  if (reason) {
    endSession(step, s, reason);
    return;
  }
  askMainQuestion(step, s, (request) => ({ kind: "switch_style", request }));
}

function onConsulted(step: Step, requestId: number, result: ConsultResult): void {
  const pending = step.state.pending;
  const s = step.state.session;
  if (!pending || pending.request.id !== requestId || !s) return;
  step.state.pending = null;
  for (const call of result.calls ?? []) recordLlmCall(step, s, call);
  switch (pending.kind) {
    case "first_question":
    case "switch_style":
      sendMainQuestion(step, s, result.question ?? null);
      break;
    case "clarification": {
      const reply = nonEmpty(result.clarification);
      const message =
        reply ??
        fallbackClarification({
          style: s.style,
          pack: s.pack,
          difficulty: s.difficulty,
          prompt: pending.prompt,
          question: pending.question,
        });
      sendClarification(step, s, pending.prompt, pending.question, message, reply ? "llm" : "fallback");
      break;
    }
    case "answer":
      finishAnswer(step, s, pending, result);
      break;
  }
}

/** Server-side latency telemetry for one model call (decisions.md: the server measures itself). */
function recordLlmCall(step: Step, s: SessionState, call: LlmCallReport): void {
  step.telemetry(
    s,
    "llm_call",
    {
      turn: s.turn,
      purpose: call.purpose,
      model: call.model,
      outcome: call.outcome,
      latency_ms: call.latencyMs,
      ttft_ms: call.ttftMs,
      attempts: call.attempts,
      status: call.status,
      streamed: call.streamed,
      ...(call.detail ? { detail: call.detail } : {}),
    },
    call.latencyMs,
  );
}

/** Seed §4.4: the model's follow-up and tips where usable, the heuristics for the rest. */
function finishAnswer(
  step: Step,
  s: SessionState,
  pending: Extract<PendingConsult, { kind: "answer" }>,
  result: ConsultResult,
): void {
  const { answer, metrics } = pending;
  const heuristic = pickFollowUp({ answer, metrics, style: s.style, pack: s.pack, random: step.ctx.random });
  const modelFollowUp = nonEmpty(result.coaching?.followUp);
  const followUp = isNonAnswer(answer) ? heuristic.text : (modelFollowUp ?? heuristic.text);
  const modelTips = result.coaching?.tips?.filter((t) => t.summary.trim() && t.detail.trim()).slice(0, 2) ?? [];
  const tips: Tip[] = modelTips.length > 0 ? modelTips : heuristicTips({ answer, metrics, style: s.style });

  step.send({ type: "tips", turn: s.turn, items: tips });
  step.telemetry(s, "tips", { turn: s.turn, items: tips, source: modelTips.length > 0 ? "llm" : "heuristic" });
  step.telemetry(s, "turn_latency", { turn: s.turn }, step.ctx.now - pending.receivedAt);

  const reason = endReason(s, step.ctx.now);
  if (reason) {
    endSession(step, s, reason);
    return;
  }
  if (pending.wasFollowUp) {
    s.awaitingFollowUp = false;
    sendMainQuestion(step, s, result.question ?? null);
  } else {
    s.awaitingFollowUp = true;
    sendQuestion(step, s, followUp, "follow_up");
    step.send({ type: "interviewer_message", turn: s.turn, style: s.style, message: followUp });
  }
}

function onAlarm(step: Step): void {
  const s = step.state.session;
  if (!s || s.ended || s.deadline === null) return;
  if (deadlinePassed(s, step.ctx.now)) {
    endSession(step, s, "time_limit");
  } else {
    step.effects.push({ kind: "schedule", at: s.deadline });
  }
}

/** Custom queue first, then the model, then the bank (seed §1.3 switch_style, §5.3). */
function askMainQuestion(step: Step, s: SessionState, pending: (request: ConsultRequest) => PendingConsult): void {
  if (s.customQueue.length > 0) {
    sendMainQuestion(step, s, null);
    return;
  }
  park(step, pending(consultRequest(step, s, { nextQuestion: nextQuestionContext(s) })));
}

function sendMainQuestion(step: Step, s: SessionState, modelQuestion: string | null): void {
  const custom = s.customQueue.shift();
  const model = nonEmpty(modelQuestion);
  const [text, source]: [string, QuestionSource] =
    custom !== undefined
      ? [custom, "custom"]
      : model
        ? [model, "llm"]
        : [fallbackQuestion(s.pack, s.difficulty, s.mainQuestionCount), "fallback"];
  s.mainQuestionCount += 1;
  sendQuestion(step, s, text, source);
}

function sendQuestion(step: Step, s: SessionState, question: string, source: QuestionSource): void {
  const lastAnswer = s.history.at(-1)?.answer ?? null;
  const preface = pickPreface({
    style: s.style,
    lastAnswer,
    forFollowUp: source === "follow_up",
    question,
    random: step.ctx.random,
  });
  const message: QuestionOut = { type: "question", turn: s.turn, question, style: s.style, source, preface };
  s.lastQuestion = message;
  step.send(message);
  step.telemetry(s, "question", {
    turn: s.turn,
    answer_turn: s.turn + 1,
    question,
    preface,
    style: s.style,
    pack: s.pack,
    difficulty: s.difficulty,
    source,
  });
}

function sendClarification(
  step: Step,
  s: SessionState,
  prompt: string,
  question: string,
  reply: string,
  source: "llm" | "guardrail" | "fallback",
): void {
  const message = clarificationLimits(prompt, question, reply).reply;
  step.send({ type: "clarification", turn: s.turn, style: s.style, message, source });
  step.telemetry(s, "clarification", { turn: s.turn, prompt, clarification: question, source });
}

function endSession(step: Step, s: SessionState, reason: EndReason): void {
  if (s.ended) return;
  s.ended = true;
  step.state.pending = null;
  // The answers are not needed once the session is over; the object should not keep them.
  s.history = [];
  step.send({
    type: "session_ended",
    session_id: s.id,
    turn: s.turn,
    reason,
    message: STYLE_CARDS[s.style].endMessages[reason],
  });
  step.telemetry(s, "session_end", { turn: s.turn, reason });
  step.effects.push({ kind: "schedule", at: null });
  step.effects.push({ kind: "close", code: 1000, reason: `session ended: ${reason}` });
}

function endReason(s: SessionState, now: number): EndReason | null {
  if (s.maxQuestions !== null && s.turn >= s.maxQuestions) return "max_questions";
  if (deadlinePassed(s, now)) return "time_limit";
  return null;
}

function deadlinePassed(s: SessionState, now: number): boolean {
  return s.deadline !== null && now >= s.deadline;
}

function nextQuestionContext(s: SessionState): NonNullable<ConsultRequest["nextQuestion"]> {
  return { previousQuestion: s.lastQuestion?.question ?? null, mainQuestionIndex: s.mainQuestionCount };
}

function consultRequest(
  step: Step,
  s: SessionState,
  parts: Pick<ConsultRequest, "coaching" | "nextQuestion" | "clarification">,
): ConsultRequest {
  const id = step.state.nextConsultId;
  step.state.nextConsultId += 1;
  return {
    id,
    sessionId: s.id,
    turn: s.turn,
    style: s.style,
    pack: s.pack,
    difficulty: s.difficulty,
    history: s.history.slice(-HISTORY_PAIRS_FOR_LLM),
    stream: s.stream,
    ...parts,
  };
}

function park(step: Step, pending: PendingConsult): void {
  step.state.pending = pending;
  step.effects.push({ kind: "consult", request: pending.request });
}

function knownMetrics(metrics: AnswerMetrics): AnswerMetrics {
  return {
    speakingRate: metrics.speakingRate ?? null,
    pauseRatio: metrics.pauseRatio ?? null,
    gaze: metrics.gaze ?? null,
    fillers: metrics.fillers ?? null,
  };
}

function nonEmpty(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}
