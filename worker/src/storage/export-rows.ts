/**
 * Table rows as the REST routes and the export CLI show them: the seed's snake_case field
 * names (seed §6.4), timestamps as ISO-8601 UTC strings, telemetry payloads parsed to JSON.
 * Secrets and internals stay out: no resume token hash, no object id, no idempotency key.
 */
import type {
  AnswerRecordRow,
  CheckinRecordRow,
  FeedbackRecordRow,
  SessionRecordRow,
  TelemetryRecordRow,
} from "@interview/shared/db/schema";

export interface SessionOut {
  id: string;
  style: string;
  group_name: string | null;
  group_assignment: string | null;
  /** The participant the session belongs to; null for sessions from before participants. */
  participant_id: string | null;
  consented: boolean;
  accent: string | null;
  notes: string | null;
  created_at: string;
}

export interface AnswerOut {
  id: number;
  session_id: string;
  turn: number;
  answer: string;
  style: string;
  group_name: string | null;
  speaking_rate: number | null;
  pause_ratio: number | null;
  gaze: number | null;
  fillers: number | null;
  created_at: string;
}

export interface CheckinOut {
  id: number;
  session_id: string;
  group_name: string | null;
  confidence: number;
  stress: number;
  created_at: string;
}

export interface TelemetryOut {
  id: number;
  session_id: string;
  event_type: string;
  latency_ms: number | null;
  group_name: string | null;
  payload: unknown;
  created_at: string;
}

/** One answer's coaching (`feedback` message content and delivery, and the report's scores). */
export interface FeedbackOut {
  id: number;
  session_id: string;
  turn: number;
  star_score: number;
  relevance: number;
  numbers: number;
  hedges: number;
  words_per_minute: number | null;
  fillers_per_100_words: number | null;
  score: unknown;
  content: unknown;
  delivery: unknown;
  /** The model's rubric ({model, scores}), null when none came. */
  rubric: unknown;
  created_at: string;
}

export function isoUtc(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

export function sessionOut(row: SessionRecordRow): SessionOut {
  return {
    id: row.id,
    style: row.style,
    group_name: row.groupName,
    group_assignment: row.groupAssignment,
    participant_id: row.participantId,
    consented: row.consented,
    accent: row.accent,
    notes: row.notes,
    created_at: isoUtc(row.createdAt),
  };
}

export function answerOut(row: AnswerRecordRow): AnswerOut {
  return {
    id: row.id,
    session_id: row.sessionId,
    turn: row.turn,
    answer: row.answer,
    style: row.style,
    group_name: row.groupName,
    speaking_rate: row.speakingRate,
    pause_ratio: row.pauseRatio,
    gaze: row.gaze,
    fillers: row.fillers,
    created_at: isoUtc(row.createdAt),
  };
}

export function checkinOut(row: CheckinRecordRow): CheckinOut {
  return {
    id: row.id,
    session_id: row.sessionId,
    group_name: row.groupName,
    confidence: row.confidence,
    stress: row.stress,
    created_at: isoUtc(row.createdAt),
  };
}

export function telemetryOut(row: TelemetryRecordRow): TelemetryOut {
  return {
    id: row.id,
    session_id: row.sessionId,
    event_type: row.eventType,
    latency_ms: row.latencyMs,
    group_name: row.groupName,
    payload: parsePayload(row.payload),
    created_at: isoUtc(row.createdAt),
  };
}

export function feedbackOut(row: FeedbackRecordRow): FeedbackOut {
  return {
    id: row.id,
    session_id: row.sessionId,
    turn: row.turn,
    star_score: row.starScore,
    relevance: row.relevance,
    numbers: row.numbers,
    hedges: row.hedges,
    words_per_minute: row.wordsPerMinute,
    fillers_per_100_words: row.fillersPer100Words,
    score: parsePayload(row.score),
    content: parsePayload(row.content),
    delivery: parsePayload(row.delivery),
    rubric: parsePayload(row.rubric),
    created_at: isoUtc(row.createdAt),
  };
}

/** Payloads are written as JSON by this service; a legacy non-JSON string is returned as is. */
function parsePayload(payload: string | null): unknown {
  if (payload === null) return null;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
}
