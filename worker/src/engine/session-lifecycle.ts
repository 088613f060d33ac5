/**
 * A session's life: start (options, records, first question), resume snapshot, and the end
 * by answer count or time limit, including the alarm that enforces it while idle.
 */
import type { EndReason, SessionSnapshot } from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { sessionOptions } from "./session-options.ts";
import { askMainQuestion } from "./questions.ts";
import { buildReport } from "./session-report.ts";
import type { MessageOf, Step } from "./step.ts";
import type { SessionState, StartMint } from "./types.ts";

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

export function onResumed(step: Step): void {
  const s = step.state.session;
  if (!s) return;
  step.send({
    type: "session_resumed",
    ...snapshot(s),
    groupAssignment: s.groupAssignment,
    question: s.lastQuestion,
    awaitingFollowUp: s.awaitingFollowUp,
    secondsLeft: s.deadline === null ? null : Math.max(0, Math.round((s.deadline - step.ctx.now) / 1000)),
    lastSeq: s.sentSeq ?? 0,
  });
}

export function startSession(step: Step, message: MessageOf<"start_session">, mint: StartMint): void {
  const options = sessionOptions(message);
  // The arm is the participant's, decided outside the engine: a client's group counts only there.
  const s: SessionState = {
    id: mint.sessionId,
    objectId: mint.objectId,
    style: options.style,
    group: mint.arm.group,
    groupAssignment: mint.arm.groupAssignment,
    participantId: mint.arm.participantId,
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
    turnCap: mint.turnCap,
    recentTurns: [],
  };
  step.state.session = s;
  step.state.pending = null;
  step.persist(s, {
    kind: "session",
    style: s.style,
    group: s.group,
    groupAssignment: s.groupAssignment,
    // It links the person's sessions: without consent it is not kept on the row either.
    participantId: s.consent ? mint.arm.participantId : null,
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
    participantId: mint.arm.participantId,
    clientGroup: mint.arm.clientGroup,
    adjusted: options.adjusted,
  });
  askMainQuestion(step, s, (request) => ({ kind: "first_question", request }));
}

export function onAlarm(step: Step): void {
  const s = step.state.session;
  if (!s || s.ended || s.deadline === null) return;
  if (deadlinePassed(s, step.ctx.now)) {
    endSession(step, s, "time_limit");
  } else {
    step.effects.push({ kind: "schedule", at: s.deadline });
  }
}

export function endSession(step: Step, s: SessionState, reason: EndReason): void {
  if (s.ended) return;
  s.ended = true;
  step.state.pending = null;
  // The answers are not needed once the session is over; the object should not keep them.
  s.history = [];
  // The report covers the answers coached in this state (none: no report), compared with the
  // participant's earlier sessions when the adapter found any (`ctx.earlier`).
  if (s.scores && s.scores.length > 0) step.send(buildReport(s.id, s.scores, step.ctx.earlier ?? null));
  // Without consent nothing of the answers is kept once the report is out: their scores quote them.
  if (!s.consent) {
    delete s.scores;
    // Nor the answers waiting for their rubric, which could no longer be kept or shown.
    delete s.rubricsAsked;
  }
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

export function endReason(s: SessionState, now: number): EndReason | null {
  if (s.maxQuestions !== null && s.turn >= s.maxQuestions) return "max_questions";
  if (deadlinePassed(s, now)) return "time_limit";
  return null;
}

export function deadlinePassed(s: SessionState, now: number): boolean {
  return s.deadline !== null && now >= s.deadline;
}
