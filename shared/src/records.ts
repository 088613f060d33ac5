/**
 * What the interview persists, as the engine produces it. Storage adapters map these onto
 * tables (db/schema.ts); the engine never sees table shapes.
 *
 * Every record carries `key`, an idempotency key unique per row (`<sessionId>:<seq>`, with a
 * per-session sequence number), so a replicator can retry a write without duplicating it.
 * `createdAt` is epoch milliseconds from the engine's injected clock.
 */
import type { Group, GroupAssignment, Style } from "./vocabulary.ts";
import type { AnswerScore, FeedbackContent, FeedbackDelivery, RubricScores } from "./feedback.ts";

export interface SessionRow {
  kind: "session";
  key: string;
  sessionId: string;
  style: Style;
  group: Group;
  /** How the participant's arm was decided (server, client or admin). */
  groupAssignment: GroupAssignment;
  /** The participant the session belongs to; null only in records written before participants existed. */
  participantId: string | null;
  consented: boolean;
  accent: string | null;
  notes: string | null;
  /** SHA-256 hex of the resume token; the token itself is never stored. */
  resumeTokenHash: string;
  /** The Durable Object that holds the interview, so deletion can reach its copy. */
  objectId: string;
  createdAt: number;
}

export interface AnswerRow {
  kind: "answer";
  key: string;
  sessionId: string;
  turn: number;
  answer: string;
  style: Style;
  group: Group;
  speakingRate: number | null;
  pauseRatio: number | null;
  gaze: number | null;
  fillers: number | null;
  createdAt: number;
}

export interface CheckinRow {
  kind: "checkin";
  key: string;
  sessionId: string;
  group: Group;
  confidence: number;
  stress: number;
  createdAt: number;
}

export interface TelemetryRow {
  kind: "telemetry";
  key: string;
  sessionId: string;
  eventType: string;
  latencyMs: number | null;
  group: Group;
  /** Any JSON value; stored as JSON text, exported parsed. */
  payload: unknown;
  createdAt: number;
}

/** The coach's analysis of one answer (README, Coaching), stored for the report and the export. */
export interface FeedbackRow {
  kind: "feedback";
  key: string;
  sessionId: string;
  turn: number;
  score: AnswerScore;
  content: FeedbackContent;
  delivery: FeedbackDelivery | null;
  createdAt: number;
}

/**
 * The model's rubric for an answer whose feedback was stored (README, Coaching): written onto
 * that answer's `feedbackrecord` row (its `rubric` column, and `score` with the rubric in it).
 */
export interface FeedbackRubricRow {
  kind: "feedback_rubric";
  key: string;
  sessionId: string;
  turn: number;
  rubric: RubricScores;
  model: string;
  /** The answer's score with `rubric`, replacing the stored one. */
  score: AnswerScore;
  createdAt: number;
}

export type PersistRecord = SessionRow | AnswerRow | CheckinRow | TelemetryRow | FeedbackRow | FeedbackRubricRow;
