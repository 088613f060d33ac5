/**
 * Writes to the research database. Every write is idempotent: rows carry a unique `key` and
 * are inserted with `ON CONFLICT(key) DO NOTHING`; the session row is upserted by id.
 */
import { eq, sql } from "drizzle-orm";
import type { PersistRecord } from "@interview/shared";
import { answerRecord, checkinRecord, feedbackRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import { recordStatements, type SqlValue } from "./record-statements.ts";
import type { ResearchDb } from "./research-db.ts";

/**
 * Writes records in one round trip (one batch, one transaction), in order of dependency:
 * sessions before the rows that reference them. Safe to retry: a row whose key is stored
 * already is skipped, and a failed batch leaves nothing behind. The statements are plain SQL
 * (`record-statements.ts`) sent straight to the driver under drizzle: D1's prepared
 * statements, or libSQL's batch.
 */
export async function insertRecords(db: ResearchDb, records: readonly PersistRecord[]): Promise<void> {
  const statements = recordStatements(records);
  if (statements.length === 0) return;
  const client = (db as { $client?: unknown }).$client;
  if (isD1(client)) {
    await client.batch(statements.map((s) => client.prepare(s.sql).bind(...s.args)));
  } else if (isLibsql(client)) {
    await client.batch(statements.map((s) => ({ sql: s.sql, args: s.args })));
  } else {
    throw new Error("insertRecords: the research database is neither D1 nor libSQL");
  }
}

interface D1Like {
  prepare(query: string): { bind(...values: unknown[]): unknown };
  batch(statements: unknown[]): Promise<unknown>;
}

interface LibsqlLike {
  execute(statement: unknown): Promise<unknown>;
  batch(statements: { sql: string; args: SqlValue[] }[]): Promise<unknown>;
}

function isD1(client: unknown): client is D1Like {
  return typeof (client as D1Like | null)?.prepare === "function" && typeof (client as D1Like).batch === "function";
}

function isLibsql(client: unknown): client is LibsqlLike {
  return typeof (client as LibsqlLike | null)?.execute === "function" && typeof (client as LibsqlLike).batch === "function";
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
  const [, , , , deleted] = await db.batch([
    db.delete(feedbackRecord).where(eq(feedbackRecord.sessionId, sessionId)),
    db.delete(answerRecord).where(eq(answerRecord.sessionId, sessionId)),
    db.delete(checkinRecord).where(eq(checkinRecord.sessionId, sessionId)),
    db.delete(telemetryRecord).where(eq(telemetryRecord.sessionId, sessionId)),
    db.delete(sessionRecord).where(eq(sessionRecord.id, sessionId)).returning({ id: sessionRecord.id }),
  ]);
  return deleted.length > 0;
}
