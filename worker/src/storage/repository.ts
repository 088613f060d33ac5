/**
 * Queries over the research database, as plain functions of a drizzle database in async
 * mode, so the same code runs on D1 (`drizzle-orm/d1`, the Worker) and libSQL
 * (`drizzle-orm/libsql`, the export CLI and the Node tests). Rows are mapped to the export
 * shape in one place (`export-rows.ts`).
 *
 * Every write is idempotent: rows carry a unique `key` and are inserted with
 * `ON CONFLICT(key) DO NOTHING`; the session row is upserted by id. Every read that a route
 * answers with is one query per table, never one per session.
 */
import { and, asc, desc, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import type { AnswerRow, CheckinRow, PersistRecord, SessionRow, TelemetryRow } from "@interview/shared";
import { answerRecord, checkinRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import {
  answerOut,
  checkinOut,
  sessionOut,
  telemetryOut,
  type AnswerOut,
  type CheckinOut,
  type SessionOut,
  type TelemetryOut,
} from "./export-rows.ts";

/**
 * Any drizzle SQLite database in async mode that can send several statements in one round
 * trip: D1 or libSQL. `batch` runs them as one transaction on both.
 */
export type ResearchDb = BaseSQLiteDatabase<"async", unknown> & {
  batch<U extends BatchItem<"sqlite">, T extends Readonly<[U, ...U[]]>>(batch: T): Promise<BatchResponse<T>>;
};

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

export interface SessionExport {
  session: SessionOut;
  answers: AnswerOut[];
  checkins: CheckinOut[];
  telemetry: TelemetryOut[];
}

/** A session and all its rows, each list ordered by time (then insertion); null if unknown. */
export async function exportSession(db: ResearchDb, sessionId: string): Promise<SessionExport | null> {
  const [sessions, answers, checkins, telemetry] = await Promise.all([
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
  ]);
  const session = sessions[0];
  if (!session) return null;
  return {
    session: sessionOut(session),
    answers: answers.map(answerOut),
    checkins: checkins.map(checkinOut),
    telemetry: telemetry.map(telemetryOut),
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

export interface SessionListItem extends SessionOut {
  n_answers: number;
  last_turn: number;
  last_answer_at: string | null;
  avg_speaking_rate: number | null;
  avg_pause_ratio: number | null;
  avg_gaze: number | null;
  avg_fillers: number | null;
}

/** The newest `limit` sessions with their answer aggregates, in one query (seed §6.5). */
export async function listSessions(db: ResearchDb, limit: number): Promise<SessionListItem[]> {
  const page = db
    .select()
    .from(sessionRecord)
    .orderBy(desc(sessionRecord.createdAt), desc(sessionRecord.id))
    .limit(limit)
    .as("page");
  const rows = await db
    .select({
      id: page.id,
      style: page.style,
      groupName: page.groupName,
      groupAssignment: page.groupAssignment,
      consented: page.consented,
      accent: page.accent,
      notes: page.notes,
      resumeTokenHash: page.resumeTokenHash,
      objectId: page.objectId,
      createdAt: page.createdAt,
      participantId: page.participantId,
      nAnswers: sql<number>`count(${answerRecord.id})`,
      lastTurn: sql<number>`coalesce(max(${answerRecord.turn}), 0)`,
      lastAnswerAt: sql<number | null>`max(${answerRecord.createdAt})`,
      avgSpeakingRate: sql<number | null>`avg(${answerRecord.speakingRate})`,
      avgPauseRatio: sql<number | null>`avg(${answerRecord.pauseRatio})`,
      avgGaze: sql<number | null>`avg(${answerRecord.gaze})`,
      avgFillers: sql<number | null>`avg(${answerRecord.fillers})`,
    })
    .from(page)
    .leftJoin(answerRecord, eq(answerRecord.sessionId, page.id))
    .groupBy(page.id)
    .orderBy(desc(page.createdAt), desc(page.id));
  return rows.map((r) => ({
    ...sessionOut({ ...r, consented: Boolean(r.consented) }),
    n_answers: Number(r.nAnswers),
    last_turn: Number(r.lastTurn),
    last_answer_at: r.lastAnswerAt === null ? null : new Date(Number(r.lastAnswerAt)).toISOString(),
    avg_speaking_rate: numberOrNull(r.avgSpeakingRate),
    avg_pause_ratio: numberOrNull(r.avgPauseRatio),
    avg_gaze: numberOrNull(r.avgGaze),
    avg_fillers: numberOrNull(r.avgFillers),
  }));
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

export async function listComments(db: ResearchDb, sessionId: string): Promise<TelemetryOut[]> {
  const rows = await db
    .select()
    .from(telemetryRecord)
    .where(and(eq(telemetryRecord.sessionId, sessionId), inArray(telemetryRecord.eventType, ["comment", "assignment"])))
    .orderBy(asc(telemetryRecord.createdAt), asc(telemetryRecord.id));
  return rows.map(telemetryOut);
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

/** Which sessions `/metrics/summary` looks at: a time range on the session start, pack, style. */
export interface MetricsFilter {
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  pack?: string;
  style?: string;
}

/**
 * Sums and counts of one group's rows in one session; means and statistics come from these.
 * `group` is the rows' own `group_name` (a check-in may name another group than its session's);
 * `sessionGroup` is the session row's `group_name`, the arm the session belongs to.
 */
export interface SessionGroupAggregate {
  sessionId: string;
  group: string;
  sessionGroup: string;
  /** The session's participant; null for sessions from before participants existed. */
  participantId?: string | null;
  /** How the session's arm was decided (`server`, `client`, `admin`), from the session row. */
  groupAssignment?: string | null;
  /** Per metric: [sum of non-null values, count of non-null values]. */
  sums: Record<string, [number, number]>;
  /** Row counts: answers, checkins, and per telemetry event. */
  rows: Record<string, number>;
}

export const LATENCY_EVENTS = ["latency", "stt", "turn_latency"] as const;

/**
 * Per (session, row group) sums and counts for every metric, for the two experiment groups,
 * each labelled with the session's own group: three grouped queries, whatever the number of
 * sessions. A row counts when its own group or its session's group is an experiment group.
 */
export async function metricsAggregates(db: ResearchDb, filter: MetricsFilter): Promise<SessionGroupAggregate[]> {
  const inScope = (column: typeof answerRecord.sessionId | typeof checkinRecord.sessionId | typeof telemetryRecord.sessionId) =>
    sql`${column} in (${sessionScope(filter)})`;
  const groups = ["control", "treatment"];
  // One value per session: grouped by so every aggregate row carries its session's.
  const sessionColumns = [sessionRecord.groupName, sessionRecord.participantId, sessionRecord.groupAssignment] as const;
  const inGroups = (column: typeof answerRecord.groupName | typeof checkinRecord.groupName | typeof telemetryRecord.groupName) =>
    or(inArray(column, groups), inArray(sessionRecord.groupName, groups));
  const [answers, checkins, telemetry] = await Promise.all([
    db
      .select({
        sessionId: answerRecord.sessionId,
        group: answerRecord.groupName,
        sessionGroup: sessionRecord.groupName,
        participantId: sessionRecord.participantId,
        groupAssignment: sessionRecord.groupAssignment,
        n: sql<number>`count(*)`,
        srSum: sql<number | null>`sum(${answerRecord.speakingRate})`,
        srN: sql<number>`count(${answerRecord.speakingRate})`,
        prSum: sql<number | null>`sum(${answerRecord.pauseRatio})`,
        prN: sql<number>`count(${answerRecord.pauseRatio})`,
        gzSum: sql<number | null>`sum(${answerRecord.gaze})`,
        gzN: sql<number>`count(${answerRecord.gaze})`,
        flSum: sql<number | null>`sum(cast(${answerRecord.fillers} as real))`,
        flN: sql<number>`count(${answerRecord.fillers})`,
      })
      .from(answerRecord)
      .innerJoin(sessionRecord, eq(sessionRecord.id, answerRecord.sessionId))
      .where(and(inGroups(answerRecord.groupName), inScope(answerRecord.sessionId)))
      .groupBy(answerRecord.sessionId, answerRecord.groupName, ...sessionColumns),
    db
      .select({
        sessionId: checkinRecord.sessionId,
        group: checkinRecord.groupName,
        sessionGroup: sessionRecord.groupName,
        participantId: sessionRecord.participantId,
        groupAssignment: sessionRecord.groupAssignment,
        n: sql<number>`count(*)`,
        cSum: sql<number | null>`sum(cast(${checkinRecord.confidence} as real))`,
        sSum: sql<number | null>`sum(cast(${checkinRecord.stress} as real))`,
      })
      .from(checkinRecord)
      .innerJoin(sessionRecord, eq(sessionRecord.id, checkinRecord.sessionId))
      .where(and(inGroups(checkinRecord.groupName), inScope(checkinRecord.sessionId)))
      .groupBy(checkinRecord.sessionId, checkinRecord.groupName, ...sessionColumns),
    db
      .select({
        sessionId: telemetryRecord.sessionId,
        group: telemetryRecord.groupName,
        sessionGroup: sessionRecord.groupName,
        participantId: sessionRecord.participantId,
        groupAssignment: sessionRecord.groupAssignment,
        event: telemetryRecord.eventType,
        n: sql<number>`count(*)`,
        lSum: sql<number | null>`sum(${telemetryRecord.latencyMs})`,
        lN: sql<number>`count(${telemetryRecord.latencyMs})`,
      })
      .from(telemetryRecord)
      .innerJoin(sessionRecord, eq(sessionRecord.id, telemetryRecord.sessionId))
      .where(
        and(
          inGroups(telemetryRecord.groupName),
          inArray(telemetryRecord.eventType, [...LATENCY_EVENTS]),
          inScope(telemetryRecord.sessionId),
        ),
      )
      .groupBy(telemetryRecord.sessionId, telemetryRecord.groupName, ...sessionColumns, telemetryRecord.eventType),
  ]);
  const byKey = new Map<string, SessionGroupAggregate>();
  type SessionColumns = { sessionId: string; group: string | null; sessionGroup: string | null; participantId: string | null; groupAssignment: string | null };
  const entry = ({ sessionId, group, sessionGroup, participantId, groupAssignment }: SessionColumns): SessionGroupAggregate => {
    const key = `${sessionId}\u0000${group}`;
    let found = byKey.get(key);
    if (!found) {
      found = { sessionId, group: group ?? "", sessionGroup: sessionGroup ?? "", participantId, groupAssignment, sums: {}, rows: {} };
      byKey.set(key, found);
    }
    return found;
  };
  for (const r of answers) {
    const e = entry(r);
    e.rows.answers = Number(r.n);
    e.sums.speaking_rate = [Number(r.srSum ?? 0), Number(r.srN)];
    e.sums.pause_ratio = [Number(r.prSum ?? 0), Number(r.prN)];
    e.sums.gaze = [Number(r.gzSum ?? 0), Number(r.gzN)];
    e.sums.fillers = [Number(r.flSum ?? 0), Number(r.flN)];
  }
  for (const r of checkins) {
    const e = entry(r);
    e.rows.checkins = Number(r.n);
    e.sums.confidence = [Number(r.cSum ?? 0), Number(r.n)];
    e.sums.stress = [Number(r.sSum ?? 0), Number(r.n)];
  }
  for (const r of telemetry) {
    const e = entry(r);
    e.rows[r.event] = Number(r.n);
    e.sums[`${r.event}_ms`] = [Number(r.lSum ?? 0), Number(r.lN)];
  }
  return [...byKey.values()];
}

/** `select id from sessionrecord where …`: the sessions a metrics filter keeps. */
function sessionScope(filter: MetricsFilter): SQL {
  const conditions: SQL[] = [sql`1 = 1`];
  if (filter.from !== undefined) conditions.push(sql`s.created_at >= ${filter.from}`);
  if (filter.to !== undefined) conditions.push(sql`s.created_at < ${filter.to}`);
  if (filter.style !== undefined) conditions.push(sql`s.style = ${filter.style}`);
  if (filter.pack !== undefined) {
    // The pack is in the session_meta telemetry payload (seed §1.3), not on the session row.
    conditions.push(
      sql`exists (select 1 from telemetryrecord m where m.session_id = s.id and m.event_type = 'session_meta' and json_extract(m.payload, '$.pack') = ${filter.pack})`,
    );
  }
  return sql`select s.id from sessionrecord s where ${sql.join(conditions, sql` and `)}`;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
