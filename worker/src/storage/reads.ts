/**
 * Reads from the research database. Every read that a route answers with is one query per
 * table, never one per session.
 */
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { answerRecord, checkinRecord, feedbackRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import {
  answerOut,
  checkinOut,
  feedbackOut,
  sessionOut,
  telemetryOut,
  type AnswerOut,
  type CheckinOut,
  type FeedbackOut,
  type SessionOut,
  type TelemetryOut,
} from "./export-rows.ts";
import type { ResearchDb } from "./research-db.ts";

/** Reachability probe for `/health`. */
export async function ping(db: ResearchDb): Promise<void> {
  await db.select({ one: sql<number>`1` }).from(sessionRecord).limit(1);
}

/** What routes need to authorise a call about a session, or null when it is unknown. */
export interface SessionAccess {
  id: string;
  groupName: string | null;
  consented: boolean;
  resumeTokenHash: string | null;
  objectId: string | null;
}

export async function sessionAccess(db: ResearchDb, sessionId: string): Promise<SessionAccess | null> {
  const rows = await db
    .select({
      id: sessionRecord.id,
      groupName: sessionRecord.groupName,
      consented: sessionRecord.consented,
      resumeTokenHash: sessionRecord.resumeTokenHash,
      objectId: sessionRecord.objectId,
    })
    .from(sessionRecord)
    .where(eq(sessionRecord.id, sessionId))
    .limit(1);
  return rows[0] ?? null;
}

/** How many answer, check-in, telemetry and feedback rows D1 holds for the session (its records, as the engine counts them). */
export async function sessionRecordCount(db: ResearchDb, sessionId: string): Promise<number> {
  const count = (table: typeof answerRecord | typeof checkinRecord | typeof telemetryRecord | typeof feedbackRecord) =>
    sql`(select count(*) from ${table} where ${table.sessionId} = ${sessionId})`;
  const [row] = await db
    .select({ n: sql<number>`${count(answerRecord)} + ${count(checkinRecord)} + ${count(telemetryRecord)} + ${count(feedbackRecord)}` })
    .from(sessionRecord)
    .where(eq(sessionRecord.id, sessionId));
  return Number(row?.n ?? 0);
}

export interface SessionExport {
  session: SessionOut;
  answers: AnswerOut[];
  checkins: CheckinOut[];
  telemetry: TelemetryOut[];
  /** The coach's analysis of each answer, by turn. */
  feedback: FeedbackOut[];
}

/** A session and all its rows, each list ordered by time (then insertion); null if unknown. */
export async function exportSession(db: ResearchDb, sessionId: string): Promise<SessionExport | null> {
  const [sessions, answers, checkins, telemetry, feedback] = await Promise.all([
    db.select().from(sessionRecord).where(eq(sessionRecord.id, sessionId)).limit(1),
    db
      .select()
      .from(answerRecord)
      .where(eq(answerRecord.sessionId, sessionId))
      .orderBy(asc(answerRecord.createdAt), asc(answerRecord.id)),
    db
      .select()
      .from(checkinRecord)
      .where(eq(checkinRecord.sessionId, sessionId))
      .orderBy(asc(checkinRecord.createdAt), asc(checkinRecord.id)),
    db
      .select()
      .from(telemetryRecord)
      .where(eq(telemetryRecord.sessionId, sessionId))
      .orderBy(asc(telemetryRecord.createdAt), asc(telemetryRecord.id)),
    db.select().from(feedbackRecord).where(eq(feedbackRecord.sessionId, sessionId)).orderBy(asc(feedbackRecord.turn), asc(feedbackRecord.id)),
  ]);
  const session = sessions[0];
  if (!session) return null;
  return {
    session: sessionOut(session),
    answers: answers.map(answerOut),
    checkins: checkins.map(checkinOut),
    telemetry: telemetry.map(telemetryOut),
    feedback: feedback.map(feedbackOut),
  };
}

/** Ids of every session, newest first (for the CLI's bulk export). */
export async function sessionIds(db: ResearchDb): Promise<string[]> {
  const rows = await db
    .select({ id: sessionRecord.id })
    .from(sessionRecord)
    .orderBy(desc(sessionRecord.createdAt), desc(sessionRecord.id));
  return rows.map((r) => r.id);
}

export async function listComments(db: ResearchDb, sessionId: string): Promise<TelemetryOut[]> {
  const rows = await db
    .select()
    .from(telemetryRecord)
    .where(and(eq(telemetryRecord.sessionId, sessionId), inArray(telemetryRecord.eventType, ["comment", "assignment"])))
    .orderBy(asc(telemetryRecord.createdAt), asc(telemetryRecord.id));
  return rows.map(telemetryOut);
}

