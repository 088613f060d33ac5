/**
 * The INSERT statements that store interview records, as plain SQL text and arguments, so the
 * replication of many turns costs one string per statement shape (built once and kept) and an
 * argument list, not a query builder's work per row: profiling the fleet benchmark showed
 * drizzle building these INSERTs as a large part of a flush. Same SQL as the drizzle schema's
 * tables (`shared/src/db/schema.ts`): one multi-row INSERT per table and chunk, chunked under
 * D1's 100 bound parameters, in order of dependency (sessions first); answers, check-ins and
 * telemetry (and feedback) skip a key already stored, the session row is upserted by id.
 */
import type { AnswerRow, CheckinRow, FeedbackRow, FeedbackRubricRow, PersistRecord, SessionRow, TelemetryRow } from "@interview/shared";

export type SqlValue = string | number | null;

export interface RecordStatement {
  sql: string;
  args: SqlValue[];
}

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;

interface TableShape<R> {
  table: string;
  columns: readonly string[];
  /** What follows VALUES: the conflict rule. */
  onConflict: string;
  values(record: R): SqlValue[];
}

const SESSION_COLUMNS = [
  "id",
  "style",
  "group_name",
  "group_assignment",
  "consented",
  "accent",
  "notes",
  "resume_token_hash",
  "object_id",
  "created_at",
  "participant_id",
] as const;

const sessions: TableShape<SessionRow> = {
  table: "sessionrecord",
  columns: SESSION_COLUMNS,
  // A session row is written again when its settings change: every column but the id and the
  // creation time follow the newest record.
  onConflict: `ON CONFLICT ("id") DO UPDATE SET ${SESSION_COLUMNS.filter((c) => c !== "id" && c !== "created_at")
    .map((c) => `"${c}" = excluded."${c}"`)
    .join(", ")}`,
  values: (r) => [
    r.sessionId,
    r.style,
    r.group,
    r.groupAssignment,
    // The column's default (false) for a record without it, as drizzle wrote it.
    r.consented ? 1 : 0,
    r.accent ?? null,
    r.notes ?? null,
    r.resumeTokenHash ?? null,
    r.objectId ?? null,
    r.createdAt,
    // Outbox rows written before participants existed have none.
    r.participantId ?? null,
  ],
};

const answers: TableShape<AnswerRow> = {
  table: "answerrecord",
  columns: ["key", "session_id", "turn", "answer", "style", "group_name", "speaking_rate", "pause_ratio", "gaze", "fillers", "created_at"],
  onConflict: `ON CONFLICT ("key") DO NOTHING`,
  values: (r) => [
    r.key,
    r.sessionId,
    r.turn,
    r.answer,
    r.style,
    r.group ?? null,
    r.speakingRate ?? null,
    r.pauseRatio ?? null,
    r.gaze ?? null,
    r.fillers ?? null,
    r.createdAt,
  ],
};

const checkins: TableShape<CheckinRow> = {
  table: "checkinrecord",
  columns: ["key", "session_id", "group_name", "confidence", "stress", "created_at"],
  onConflict: `ON CONFLICT ("key") DO NOTHING`,
  values: (r) => [r.key, r.sessionId, r.group ?? null, r.confidence, r.stress, r.createdAt],
};

const telemetry: TableShape<TelemetryRow> = {
  table: "telemetryrecord",
  columns: ["key", "session_id", "event_type", "latency_ms", "group_name", "payload", "created_at"],
  onConflict: `ON CONFLICT ("key") DO NOTHING`,
  values: (r) => [r.key, r.sessionId, r.eventType, r.latencyMs ?? null, r.group ?? null, JSON.stringify(r.payload ?? null), r.createdAt],
};

const feedback: TableShape<FeedbackRow> = {
  table: "feedbackrecord",
  columns: [
    "key", "session_id", "turn", "star_score", "relevance", "numbers", "hedges", "words_per_minute", "fillers_per_100_words",
    "score", "content", "delivery", "created_at",
  ],
  onConflict: `ON CONFLICT ("key") DO NOTHING`,
  values: (r) => [
    r.key,
    r.sessionId,
    r.turn,
    r.score.starScore,
    r.score.relevance,
    r.score.numbers.length,
    r.score.hedges.length,
    r.score.wpm,
    r.score.fillersPer100Words,
    JSON.stringify(r.score),
    JSON.stringify(r.content),
    r.delivery === null ? null : JSON.stringify(r.delivery),
    r.createdAt,
  ],
};

/** SQL text per table and row count: a flush reuses the same few shapes. */
const sqlCache = new Map<string, string>();

function insertSql(shape: TableShape<never>, rows: number): string {
  const cacheKey = `${shape.table}:${rows}`;
  let text = sqlCache.get(cacheKey);
  if (text === undefined) {
    const row = `(${shape.columns.map(() => "?").join(", ")})`;
    text = `INSERT INTO "${shape.table}" (${shape.columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array.from({ length: rows }, () => row).join(", ")} ${shape.onConflict}`;
    sqlCache.set(cacheKey, text);
  }
  return text;
}

function statementsFor<R>(shape: TableShape<R>, records: readonly R[], out: RecordStatement[]): void {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / shape.columns.length));
  for (let i = 0; i < records.length; i += perStatement) {
    const part = records.slice(i, i + perStatement);
    const args: SqlValue[] = [];
    for (const record of part) args.push(...shape.values(record));
    out.push({ sql: insertSql(shape as TableShape<never>, part.length), args });
  }
}

/**
 * A rubric is written onto its answer's feedback row, after every INSERT of the flush (the row
 * may be in the same one). Setting the same values again is harmless, so a retried flush is too.
 */
const RUBRIC_SQL = `UPDATE "feedbackrecord" SET "rubric" = ?, "score" = ? WHERE "session_id" = ? AND "turn" = ?`;

function rubricStatement(r: FeedbackRubricRow): RecordStatement {
  return { sql: RUBRIC_SQL, args: [JSON.stringify({ model: r.model, scores: r.rubric }), JSON.stringify(r.score), r.sessionId, r.turn] };
}

/** The statements that store `records`, sessions first (the other rows reference them). */
export function recordStatements(records: readonly PersistRecord[]): RecordStatement[] {
  const bySession: SessionRow[] = [];
  const byAnswer: AnswerRow[] = [];
  const byCheckin: CheckinRow[] = [];
  const byTelemetry: TelemetryRow[] = [];
  const byFeedback: FeedbackRow[] = [];
  const byRubric: FeedbackRubricRow[] = [];
  for (const r of records) {
    if (r.kind === "session") bySession.push(r);
    else if (r.kind === "answer") byAnswer.push(r);
    else if (r.kind === "checkin") byCheckin.push(r);
    else if (r.kind === "telemetry") byTelemetry.push(r);
    else if (r.kind === "feedback") byFeedback.push(r);
    else if (r.kind === "feedback_rubric") byRubric.push(r);
  }
  const out: RecordStatement[] = [];
  statementsFor(sessions, bySession, out);
  statementsFor(answers, byAnswer, out);
  statementsFor(checkins, byCheckin, out);
  statementsFor(telemetry, byTelemetry, out);
  statementsFor(feedback, byFeedback, out);
  for (const r of byRubric) out.push(rubricStatement(r));
  return out;
}
