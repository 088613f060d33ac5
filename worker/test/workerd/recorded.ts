/**
 * What an interview recorded for a session, wherever it is now: the object flushes its
 * outbox to D1 first (records leave the object once D1 has them), then D1's rows are read
 * back in the engine's record shape, plus anything D1 could not take yet.
 */
import { env } from "cloudflare:workers";
import { asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { PersistRecord } from "@interview/shared";
import { answerRecord, checkinRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";

export async function recordedBy(stub: InterviewStub, sessionId: string): Promise<PersistRecord[]> {
  await stub.flush();
  const backlog = (await stub.backlog(sessionId)) as unknown as PersistRecord[];
  return [...(await recordsInD1(sessionId)), ...backlog];
}

/** D1's rows of a session as PersistRecords: the session first, then rows in time order. */
export async function recordsInD1(sessionId: string): Promise<PersistRecord[]> {
  const db = drizzle(env.DB);
  const [sessions, answers, checkins, telemetry] = await Promise.all([
    db.select().from(sessionRecord).where(eq(sessionRecord.id, sessionId)),
    db.select().from(answerRecord).where(eq(answerRecord.sessionId, sessionId)).orderBy(asc(answerRecord.id)),
    db.select().from(checkinRecord).where(eq(checkinRecord.sessionId, sessionId)).orderBy(asc(checkinRecord.id)),
    db.select().from(telemetryRecord).where(eq(telemetryRecord.sessionId, sessionId)).orderBy(asc(telemetryRecord.id)),
  ]);
  const head: PersistRecord[] = sessions.map((s) => ({
    kind: "session",
    key: `${s.id}:0`,
    sessionId: s.id,
    style: s.style,
    group: s.groupName,
    groupAssignment: s.groupAssignment,
    participantId: s.participantId,
    consented: s.consented,
    accent: s.accent,
    notes: s.notes,
    resumeTokenHash: s.resumeTokenHash,
    objectId: s.objectId,
    createdAt: s.createdAt,
  }) as PersistRecord);
  const rows: PersistRecord[] = [
    ...answers.map(({ id: _id, groupName, ...a }) => ({ kind: "answer", ...a, group: groupName }) as PersistRecord),
    ...checkins.map(({ id: _id, groupName, ...c }) => ({ kind: "checkin", ...c, group: groupName }) as PersistRecord),
    ...telemetry.map(
      ({ id: _id, groupName, payload, ...t }) =>
        ({ kind: "telemetry", ...t, group: groupName, payload: JSON.parse(payload ?? "null") }) as PersistRecord,
    ),
  ];
  // Interview rows carry `<sessionId>:<seq>`: sort by that sequence, HTTP rows after them.
  const seq = (r: PersistRecord) => (r.key.startsWith(`${sessionId}:`) ? Number(r.key.slice(sessionId.length + 1)) : Infinity);
  rows.sort((a, b) => seq(a) - seq(b) || a.createdAt - b.createdAt);
  return [...head, ...rows];
}
