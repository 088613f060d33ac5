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
import { PROTOCOL_VERSION, isReservedTelemetryEvent, type ClientMessage } from "@interview/shared";
import { fallbackClarification } from "./clarification.ts";
import { finishAnswer, onAnswer } from "./answer-turn.ts";
import { onClarification, sendClarification } from "./clarification-turn.ts";
import { nonEmpty, recordLlmCall } from "./consults.ts";
import { askMainQuestion, sendMainQuestion } from "./questions.ts";
import { deadlinePassed, endReason, endSession, onAlarm, onResumed, startSession } from "./session-lifecycle.ts";
import { Step, type MessageOf } from "./step.ts";
import { countTurn, turnCapWait } from "./turn-cap.ts";
import { onRubricScored } from "./rubric-turn.ts";
import type { TimedWord } from "../coach/types.ts";

/**
 * Client message ids remembered per session. A client re-sends only what it sent since its
 * last acknowledged message, a handful at most; 64 leaves room for a long offline spell.
 */
export const CLIENT_IDS_KEPT = 64;
import type { ConsultResult, EngineContext, EngineEvent, InterviewState, SessionState, Transition } from "./types.ts";

export function initialState(readyId: string): InterviewState {
  return { readyId, session: null, pending: null, nextConsultId: 1 };
}

export function reduce(state: InterviewState, event: EngineEvent, ctx: EngineContext): Transition {
  const step = new Step(cloneState(state), ctx);
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
      onMessage(step, event.message, event.words);
      break;
    case "consulted":
      onConsulted(step, event.requestId, event.result);
      break;
    case "alarm":
      onAlarm(step);
      break;
    case "rubric_scored":
      onRubricScored(step, event.sessionId, event.turn, event.result);
      break;
    case "measured": {
      // Only the interview's current session is labelled here; consent rules as for any row.
      const s = step.state.session;
      if (s && s.id === event.sessionId) {
        if (event.announce && !s.ended) step.send(event.announce);
        step.telemetry(s, event.eventType, event.payload, event.latencyMs);
      }
      break;
    }
    case "announced": {
      const s = step.state.session;
      if (s && s.id === event.sessionId && !s.ended) step.send(event.message);
      break;
    }
    case "checkin_reported": {
      const s = step.state.session;
      if (!s || s.id !== event.sessionId) break;
      const { confidence, stress, key } = event;
      step.persist(s, { kind: "checkin", group: event.group ?? s.group, confidence, stress }, key);
      break;
    }
  }
  return step.result();
}

/**
 * The handlers' private copy: every object they change in place is copied (state, session,
 * the session's arrays); what they only replace (`pending`, `lastQuestion`, history pairs) is
 * shared. A deep `structuredClone` cost a fifth of a turn's engine time; the engine tests run
 * on frozen input states, so a handler that changed a shared object would fail them.
 */
function cloneState(state: InterviewState): InterviewState {
  const s = state.session;
  return {
    ...state,
    session: s && {
      ...s,
      customQueue: [...s.customQueue],
      history: [...s.history],
      ...(s.recentTurns ? { recentTurns: [...s.recentTurns] } : {}),
    },
  };
}

function onMessage(step: Step, message: Exclude<ClientMessage, { type: "start_session" }>, words?: TimedWord[]): void {
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
  const id = "id" in message ? message.id : undefined;
  if (id !== undefined && s.appliedIds?.includes(id)) {
    step.send({ type: "ack", id, duplicate: true });
    return;
  }
  if (message.type === "user_answer" || message.type === "user_clarification" || message.type === "switch_style") {
    const wait = turnCapWait(s, step.ctx.now);
    if (wait !== null) {
      step.error("rate_limited", `At most ${s.turnCap} answers, clarifications and style switches a minute; this ${message.type} was not processed. Retry in ${wait} s.`, wait);
      return;
    }
    countTurn(s, step.ctx.now);
  }
  if (id !== undefined) {
    s.appliedIds = [...(s.appliedIds ?? []), id].slice(-CLIENT_IDS_KEPT);
    step.send({ type: "ack", id, duplicate: false });
  }
  switch (message.type) {
    case "user_answer":
      onAnswer(step, s, message, words);
      break;
    case "user_clarification":
      onClarification(step, s, message);
      break;
    case "switch_style":
      onSwitchStyle(step, s, message);
      break;
    case "checkin": {
      const stored = step.persist(s, {
        kind: "checkin",
        group: message.group ?? s.group,
        confidence: message.confidence,
        stress: message.stress,
      });
      if (stored) step.send({ type: "checkin_logged" });
      else step.storageFull("check-in");
      break;
    }
    case "telemetry":
      if (isReservedTelemetryEvent(message.event)) {
        step.error("reserved_event", `Telemetry event "${message.event}" is written by the server only; nothing was stored.`);
        break;
      }
      if (!step.telemetry(s, message.event, message.data ?? {}, message.latencyMs ?? null)) step.storageFull("telemetry event");
      break;
  }
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
