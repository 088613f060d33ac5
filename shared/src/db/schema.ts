/**
 * The research database: the seed's four tables (seed-behaviour.md §7) with their table and
 * column names, plus what this project adds. One schema for D1 (the Worker) and libSQL
 * (researchers' tools, tests); drizzle-kit generates `migrations/` from it.
 *
 * Additions to the seed:
 * - `key` on answer, check-in and telemetry rows: the idempotency key from the interview's
 *   outbox (`<sessionId>:<seq>`), or `http:<uuid>` for rows written by REST routes. A
 *   replicated write that is retried lands once (`ON CONFLICT(key) DO NOTHING`).
 * - On sessions: `group_assignment` (server, client or admin: how the participant's arm was
 *   decided), `participant_id` (the participant the session belongs to; null in rows from
 *   before participants existed), `resume_token_hash` (SHA-256 hex of the resume token; the
 *   token is never stored), `object_id` (the Durable Object holding the interview, so
 *   deletion reaches its copy).
 * - Timestamps are integer epoch milliseconds (`created_at`); exports convert them to
 *   ISO-8601 UTC strings.
 * - Indexes for the REST queries: rows of a session by time, metrics by group and event.
 *
 * Comments and assignments stay telemetry rows (`event_type` `comment` / `assignment`), as in
 * the seed, so exports and old tools see them where they always were.
 */
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const sessionRecord = sqliteTable(
  "sessionrecord",
  {
    id: text("id").primaryKey(),
    style: text("style").notNull(),
    groupName: text("group_name"),
    groupAssignment: text("group_assignment"),
    consented: integer("consented", { mode: "boolean" }).notNull().default(false),
    accent: text("accent"),
    notes: text("notes"),
    resumeTokenHash: text("resume_token_hash"),
    objectId: text("object_id"),
    createdAt: integer("created_at").notNull(),
    participantId: text("participant_id"),
  },
  (t) => [index("sessionrecord_created_at_idx").on(t.createdAt), index("sessionrecord_participant_idx").on(t.participantId)],
);

export const answerRecord = sqliteTable(
  "answerrecord",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull().unique(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessionRecord.id),
    turn: integer("turn").notNull(),
    answer: text("answer").notNull(),
    style: text("style").notNull(),
    groupName: text("group_name"),
    speakingRate: real("speaking_rate"),
    pauseRatio: real("pause_ratio"),
    gaze: real("gaze"),
    fillers: integer("fillers"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("answerrecord_session_idx").on(t.sessionId, t.createdAt),
    index("answerrecord_group_idx").on(t.groupName),
  ],
);

export const checkinRecord = sqliteTable(
  "checkinrecord",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull().unique(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessionRecord.id),
    groupName: text("group_name"),
    confidence: integer("confidence").notNull(),
    stress: integer("stress").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("checkinrecord_session_idx").on(t.sessionId, t.createdAt),
    index("checkinrecord_group_idx").on(t.groupName),
  ],
);

export const telemetryRecord = sqliteTable(
  "telemetryrecord",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull().unique(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessionRecord.id),
    eventType: text("event_type").notNull(),
    latencyMs: real("latency_ms"),
    groupName: text("group_name"),
    /** JSON text. */
    payload: text("payload"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("telemetryrecord_session_idx").on(t.sessionId, t.createdAt),
    index("telemetryrecord_event_idx").on(t.eventType, t.groupName),
  ],
);

export type SessionRecordRow = typeof sessionRecord.$inferSelect;
export type AnswerRecordRow = typeof answerRecord.$inferSelect;
export type CheckinRecordRow = typeof checkinRecord.$inferSelect;
export type TelemetryRecordRow = typeof telemetryRecord.$inferSelect;
