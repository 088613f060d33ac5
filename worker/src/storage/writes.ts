/**
 * Writes to the research database. Every write is idempotent: rows carry a unique `key` and
 * are inserted with `ON CONFLICT(key) DO NOTHING`; the session row is upserted by id.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { AnswerRow, CheckinRow, PersistRecord, SessionRow, TelemetryRow } from "@interview/shared";
import { answerRecord, checkinRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import type { ResearchDb } from "./research-db.ts";

/** D1 binds at most 100 parameters per statement; multi-row inserts are chunked below it. */
const D1_MAX_PARAMS = 100;

function chunks<T>(items: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(D1_MAX_PARAMS / columns));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes records in one round trip (`db.batch`, one transaction), in order of dependency:
 * sessions before the rows that reference them. Safe to retry: a row whose key is stored
 * already is skipped, and a failed batch leaves nothing behind.
 */
export async function insertRecords(db: ResearchDb, records: readonly PersistRecord[]): Promise<void> {
  const [first, ...rest] = insertStatements(db, records);
  if (first) await db.batch([first, ...rest]);
}

/** The multi-row INSERT statements that store `records`, chunked under D1's parameter limit. */
function insertStatements(db: ResearchDb, records: readonly PersistRecord[]): BatchItem<"sqlite">[] {
  const sessions = records.filter((r): r is SessionRow => r.kind === "session");
  const answers = records.filter((r): r is AnswerRow => r.kind === "answer");
  const checkins = records.filter((r): r is CheckinRow => r.kind === "checkin");
  const telemetry = records.filter((r): r is TelemetryRow => r.kind === "telemetry");
  const statements: BatchItem<"sqlite">[] = [];
  for (const part of chunks(sessions, 11)) {
    statements.push(
      db
        .insert(sessionRecord)
        .values(
          part.map((r) => ({
            id: r.sessionId,
            style: r.style,
            groupName: r.group,
            groupAssignment: r.groupAssignment,
            consented: r.consented,
            accent: r.accent,
            notes: r.notes,
            resumeTokenHash: r.resumeTokenHash,
            objectId: r.objectId,
            createdAt: r.createdAt,
            // Outbox rows written before participants existed have none.
            participantId: r.participantId ?? null,
          })),
        )
        .onConflictDoUpdate({
          target: sessionRecord.id,
          set: {
            style: sql`excluded.style`,
            groupName: sql`excluded.group_name`,
            groupAssignment: sql`excluded.group_assignment`,
            consented: sql`excluded.consented`,
            accent: sql`excluded.accent`,
            notes: sql`excluded.notes`,
            resumeTokenHash: sql`excluded.resume_token_hash`,
            objectId: sql`excluded.object_id`,
            participantId: sql`excluded.participant_id`,
          },
        }),
    );
  }
  for (const part of chunks(answers, 11)) {
    statements.push(
      db
        .insert(answerRecord)
        .values(
          part.map((r) => ({
            key: r.key,
            sessionId: r.sessionId,
            turn: r.turn,
            answer: r.answer,
            style: r.style,
            groupName: r.group,
            speakingRate: r.speakingRate,
            pauseRatio: r.pauseRatio,
            gaze: r.gaze,
            fillers: r.fillers,
            createdAt: r.createdAt,
          })),
        )
        .onConflictDoNothing({ target: answerRecord.key }),
    );
  }
  for (const part of chunks(checkins, 6)) {
    statements.push(
      db
        .insert(checkinRecord)
        .values(
          part.map((r) => ({
            key: r.key,
            sessionId: r.sessionId,
            groupName: r.group,
            confidence: r.confidence,
            stress: r.stress,
            createdAt: r.createdAt,
          })),
        )
        .onConflictDoNothing({ target: checkinRecord.key }),
    );
  }
  for (const part of chunks(telemetry, 7)) {
    statements.push(
      db
        .insert(telemetryRecord)
        .values(
          part.map((r) => ({
            key: r.key,
            sessionId: r.sessionId,
            eventType: r.eventType,
            latencyMs: r.latencyMs,
            groupName: r.group,
            payload: JSON.stringify(r.payload ?? null),
            createdAt: r.createdAt,
          })),
        )
        .onConflictDoNothing({ target: telemetryRecord.key }),
    );
  }
  return statements;
}

export type CommentKind = "comment" | "assignment";

export interface NewComment {
  sessionId: string;
  turn: number;
  text: string;
  author: string | null;
  kind: CommentKind;
  groupName: string | null;
  key: string;
  createdAt: number;
}

/** A researcher's note, stored as telemetry `comment` / `assignment` (seed §6.6). */
export async function addComment(db: ResearchDb, comment: NewComment): Promise<void> {
  await db
    .insert(telemetryRecord)
    .values({
      key: comment.key,
      sessionId: comment.sessionId,
      eventType: comment.kind,
      latencyMs: null,
      groupName: comment.groupName,
      payload: JSON.stringify({ turn: comment.turn, text: comment.text, author: comment.author, kind: comment.kind }),
      createdAt: comment.createdAt,
    })
    .onConflictDoNothing({ target: telemetryRecord.key });
}

/** Removes a session and every row that references it; false when there was nothing. */
export async function deleteSession(db: ResearchDb, sessionId: string): Promise<boolean> {
  // One batch is one transaction: a failure half-way leaves the session whole, not half-deleted.
  const [, , , deleted] = await db.batch([
    db.delete(answerRecord).where(eq(answerRecord.sessionId, sessionId)),
    db.delete(checkinRecord).where(eq(checkinRecord.sessionId, sessionId)),
    db.delete(telemetryRecord).where(eq(telemetryRecord.sessionId, sessionId)),
    db.delete(sessionRecord).where(eq(sessionRecord.id, sessionId)).returning({ id: sessionRecord.id }),
  ]);
  return deleted.length > 0;
}
