/**
 * The interview engine's data: state, the events it reacts to and the effects it asks its
 * adapter to carry out. All of it is plain JSON so the Durable Object can store the state
 * as is and pick up after hibernation or eviction.
 */
import type {
  AnswerMetrics,
  ClientMessage,
  Difficulty,
  ClientGroupOutcome,
  Group,
  GroupAssignment,
  Pack,
  PersistRecord,
  QuestionOut,
  ServerMessage,
  Style,
  Tip,
} from "@interview/shared";
import type { AnswerScore as SharedAnswerScore, ReportEarlier, RubricScores } from "@interview/shared";
import type { TimedWord } from "../coach/types.ts";

/** What the engine may not decide itself: the time and chance. */
export interface EngineContext {
  /** Epoch milliseconds. */
  now: number;
  /** Uniform in [0, 1). */
  random: () => number;
  /** How tips are chosen (`COACH`): "evidence" (default) from the answer's analysis, "seed" the seed's exact rules. */
  coach?: CoachMode;
  /**
   * The participant's earlier sessions, read by the adapter from stored sessions when this
   * step ends the session (the engine reads no database); absent or null: no comparison.
   */
  earlier?: EarlierSessions | null;
  /** Whether the adapter asks the model's rubric for each answer (default true): when false no `rubric` effect is made. */
  rubric?: boolean;
}

/** The participant's earlier sessions, for the report's comparison (storage/feedback-reads.ts). */
export interface EarlierSessions {
  sessions: number;
  earlier: ReportEarlier["earlier"];
}

export type CoachMode = "seed" | "evidence";

/** One answer's coaching scores, kept in the state for the end-of-session report (quotes, never the whole answer). */
export type AnswerScore = SharedAnswerScore;

export interface QaPair {
  question: string;
  answer: string;
}

export interface SessionState {
  id: string;
  /** The Durable Object holding this interview (for deletion and resume routing). */
  objectId: string;
  style: Style;
  group: Group;
  /** How the participant's arm was decided. */
  groupAssignment: GroupAssignment;
  /** The participant the session belongs to (absent in states from before participants). */
  participantId?: string | null;
  consent: boolean;
  accent: string | null;
  notes: string | null;
  pack: Pack;
  difficulty: Difficulty;
  maxQuestions: number | null;
  durationSeconds: number | null;
  customQuestionCount: number;
  customQueue: string[];
  startedAt: number;
  /** Epoch ms after which the session ends with `time_limit`, or null. */
  deadline: number | null;
  /** Number of answers so far, follow-up answers included (seed §1.3). */
  turn: number;
  lastQuestion: QuestionOut | null;
  history: QaPair[];
  awaitingFollowUp: boolean;
  /** Main questions asked so far; indexes the fallback bank (docs/decisions.md, Fix). */
  mainQuestionCount: number;
  ended: boolean;
  stream: boolean;
  resumeTokenHash: string;
  /** Next per-session sequence number for idempotent record keys. */
  seq: number;
  /** Model turns allowed per minute (turn-cap.ts), null when limits are off; absent in older states. */
  turnCap?: number | null;
  /** When the model turns of the last minute were accepted. */
  recentTurns?: number[];
  /** `seq` of the last message sent in this session (0 or absent: none yet). */
  sentSeq?: number;
  /** Ids of the client messages applied lately, oldest first (`CLIENT_IDS_KEPT`). */
  appliedIds?: string[];
  /** Each answer's coaching scores, for the end-of-session report (absent in older states). */
  scores?: AnswerScore[];
  /**
   * Rubrics asked and not yet scored (`RUBRICS_PENDING_KEPT`, the last `RUBRIC_RESCUE_WINDOW_MS`):
   * an object evicted while one was in flight asks it again (rubric-turn.ts).
   */
  rubricsAsked?: { request: RubricRequest; askedAt: number }[];
}

/** Context the interviewer model gets; the heuristics need none of it. */
export interface ConsultRequest {
  id: number;
  sessionId: string;
  turn: number;
  style: Style;
  pack: Pack;
  difficulty: Difficulty;
  /** The last three question/answer pairs, oldest first. */
  history: QaPair[];
  stream: boolean;
  coaching?: { question: string; answer: string; metrics: AnswerMetrics };
  /** Present when the engine needs a new main question; `previousQuestion` may be null. */
  nextQuestion?: { previousQuestion: string | null; mainQuestionIndex: number };
  clarification?: { prompt: string; question: string };
}

/** What the model produced; anything missing or null is filled by the heuristics. */
export interface ConsultResult {
  coaching?: { followUp: string | null; tips: Tip[] | null } | null;
  question?: string | null;
  clarification?: string | null;
  /** One report per model call made for this consult; the engine stores each as `llm_call` telemetry. */
  calls?: LlmCallReport[];
}

/** One answer for the model's rubric (README, Coaching): asked beside the turn's consult, never awaited by it. */
export interface RubricRequest {
  sessionId: string;
  /** The turn the answer was; the rubric's `feedback_rubric` carries it. */
  turn: number;
  question: string;
  answer: string;
}

/** What the rubric call gave: validated scores with spans, or null (failed, invalid, refused). */
export interface RubricResult {
  scores: RubricScores | null;
  model: string;
  calls: LlmCallReport[];
}

export type LlmPurpose = "coaching" | "question" | "clarification" | "rubric";
/** `invalid`: the API answered but the content was unusable; `circuit_open`: not called at all. */
export type LlmCallOutcome = "ok" | "timeout" | "http_error" | "invalid" | "circuit_open";

/** How one model call went, measured by the model adapter (the engine does no I/O). */
export interface LlmCallReport {
  purpose: LlmPurpose;
  model: string;
  outcome: LlmCallOutcome;
  /** From the first request to the last byte (or the give-up), retries included. */
  latencyMs: number;
  /** Streamed: first content token; otherwise the response headers of the last attempt. Null if none came. */
  ttftMs: number | null;
  /** HTTP requests made: 0 when the circuit was open, 2 after a retry. */
  attempts: number;
  /** HTTP status of the last attempt, null when none arrived. */
  status: number | null;
  streamed: boolean;
  /** A short reason for a non-ok outcome (never model content or secrets). */
  detail?: string;
}

export type PendingConsult =
  | { kind: "first_question"; request: ConsultRequest }
  | {
      kind: "answer";
      request: ConsultRequest;
      answer: string;
      metrics: AnswerMetrics;
      answeredQuestion: string;
      wasFollowUp: boolean;
      receivedAt: number;
      /** Word timings of a spoken answer (the speech worker's), for the delivery analysis. */
      words?: TimedWord[];
    }
  | { kind: "switch_style"; request: ConsultRequest }
  | { kind: "clarification"; request: ConsultRequest; prompt: string; question: string };

export interface InterviewState {
  /** The id announced in `session_ready`, before any session starts. */
  readyId: string;
  session: SessionState | null;
  pending: PendingConsult | null;
  /** Monotonic id for consult requests, so a late answer to an old one is ignored. */
  nextConsultId: number;
}

/**
 * The arm of a starting session: the participant's, decided by the registry (a participant's
 * arm never changes), and what became of a group the client named.
 */
export interface StartArm {
  participantId: string;
  group: Group;
  groupAssignment: GroupAssignment;
  clientGroup: ClientGroupOutcome | null;
}

/** Everything the adapter has to mint for a `start_session`: ids and the assignment. */
export interface StartMint {
  sessionId: string;
  objectId: string;
  resumeToken: string;
  resumeTokenHash: string;
  /** The participant and its arm, from the participant registry (durable/start-arm.ts). */
  arm: StartArm;
  /** Model turns allowed per session per minute, or null when the deployment turned limits off. */
  turnCap: number | null;
}

export type EngineEvent =
  | { kind: "connected" }
  /** A client reconnected; `lastSeq` is the last message it has (the adapter replays the rest). */
  | { kind: "resumed"; lastSeq?: number }
  | { kind: "start"; message: Extract<ClientMessage, { type: "start_session" }>; mint: StartMint }
  /** `words`: the timings of a spoken answer's transcript (audio answers only). */
  | { kind: "message"; message: Exclude<ClientMessage, { type: "start_session" }>; words?: TimedWord[] }
  | { kind: "consulted"; requestId: number; result: ConsultResult }
  /** The model's rubric for an answer of `sessionId`, after the turn's own replies. */
  | { kind: "rubric_scored"; sessionId: string; turn: number; result: RubricResult }
  | { kind: "alarm" }
  /** A measurement taken outside the socket (e.g. the server's STT latency) for this session. */
  | {
      kind: "measured";
      sessionId: string;
      eventType: "stt" | "turn_timing" | "question_heard";
      latencyMs: number | null;
      payload: unknown;
      /** A message about the measurement for the session's socket, numbered like the engine's own (voice: `turn_timing`). */
      announce?: ServerMessage;
    }
  /** A message from outside the engine for the current session's socket, numbered like its own (voice: `transcript`, `no_speech`). */
  | { kind: "announced"; sessionId: string; message: ServerMessage }
  /** A check-in sent over HTTP (POST /checkins); allowed after the end too (post-session surveys). */
  | {
      kind: "checkin_reported";
      sessionId: string;
      group: Group | null;
      confidence: number;
      stress: number;
      key: string;
    };

export type Effect =
  | { kind: "send"; message: ServerMessage }
  | { kind: "close"; code: number; reason: string }
  | { kind: "persist"; record: PersistRecord }
  | { kind: "schedule"; at: number | null }
  | { kind: "consult"; request: ConsultRequest }
  /** Ask the model's rubric in the background; its result comes back as `rubric_scored`. */
  | { kind: "rubric"; request: RubricRequest };

export interface Transition {
  state: InterviewState;
  effects: Effect[];
}
