/**
 * The research database: the seed's four tables (docs/seed-behaviour.md §7) with their table and
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
 * - `feedbackrecord`: the coach's analysis of each answer (README, Coaching): the scores the
 *   end-of-session report reads as columns, and the whole `feedback` message's content and
 *   delivery as JSON text.
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

export const feedbackRecord = sqliteTable(
  "feedbackrecord",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull().unique(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessionRecord.id),
    turn: integer("turn").notNull(),
    /** STAR parts present, 0..4. */
    starScore: integer("star_score").notNull(),
    relevance: real("relevance").notNull(),
    /** Numbers the answer gave. */
    numbers: integer("numbers").notNull(),
    hedges: integer("hedges").notNull(),
    /** Spoken answers only. */
    wordsPerMinute: real("words_per_minute"),
    fillersPer100Words: real("fillers_per_100_words"),
    /** JSON text: the report's per-answer scores (AnswerScore), the feedback's content and delivery. */
    score: text("score").notNull(),
    content: text("content").notNull(),
    delivery: text("delivery"),
    /** JSON text: the model's rubric (RubricScores and the model's name), null without one. */
    rubric: text("rubric"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("feedbackrecord_session_idx").on(t.sessionId, t.turn)],
);

export type SessionRecordRow = typeof sessionRecord.$inferSelect;
export type FeedbackRecordRow = typeof feedbackRecord.$inferSelect;
export type AnswerRecordRow = typeof answerRecord.$inferSelect;
export type CheckinRecordRow = typeof checkinRecord.$inferSelect;
export type TelemetryRecordRow = typeof telemetryRecord.$inferSelect;
