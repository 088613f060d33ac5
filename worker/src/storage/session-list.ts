/**
 * `GET /sessions`: the sessions list, newest first, a page at a time, with each session's
 * answer aggregates in the same query (docs/seed-behaviour.md §6.5). Filtered like
 * `/metrics/summary` (so a researcher can list the sessions behind a figure) and by arm,
 * participant and consent. Pages are keyset pages on (created_at, id), the order's own key: a
 * session added while someone pages does not shift or repeat rows.
 */
import { and, desc, eq, lt, ne, or, isNull, sql, type SQL } from "drizzle-orm";
import { answerRecord, sessionRecord } from "@interview/shared/db/schema";
import type { SessionsQuery } from "@interview/shared/rest";
import { sessionOut, type SessionOut } from "./export-rows.ts";
import type { ResearchDb } from "./research-db.ts";

export interface SessionListItem extends SessionOut {
  n_answers: number;
  last_turn: number;
  last_answer_at: string | null;
  avg_speaking_rate: number | null;
  avg_pause_ratio: number | null;
  avg_gaze: number | null;
  avg_fillers: number | null;
}

export interface SessionListPage {
  items: SessionListItem[];
  /** Pass as `before` for the next page; null on the last one. */
  next: string | null;
}

export type SessionListQuery = Omit<SessionsQuery, "excludeClientAssigned"> & { excludeClientAssigned?: boolean };

function conditions(query: SessionListQuery): SQL | undefined {
  const where: (SQL | undefined)[] = [];
  if (query.from !== undefined) where.push(sql`${sessionRecord.createdAt} >= ${query.from}`);
  if (query.to !== undefined) where.push(lt(sessionRecord.createdAt, query.to));
  if (query.style !== undefined) where.push(eq(sessionRecord.style, query.style));
  if (query.group !== undefined) where.push(eq(sessionRecord.groupName, query.group));
  if (query.participantId !== undefined) where.push(eq(sessionRecord.participantId, query.participantId));
  if (query.consented !== undefined) where.push(eq(sessionRecord.consented, query.consented));
  if (query.excludeClientAssigned) where.push(or(isNull(sessionRecord.groupAssignment), ne(sessionRecord.groupAssignment, "client")));
  if (query.pack !== undefined) {
    // The pack is in the session_meta telemetry payload (docs/seed-behaviour.md §1.3), not on the session row; as /metrics/summary.
    where.push(
      sql`exists (select 1 from telemetryrecord m where m.session_id = ${sessionRecord.id} and m.event_type = 'session_meta' and json_extract(m.payload, '$.pack') = ${query.pack})`,
    );
  }
  if (query.before !== undefined) {
    const { createdAt, id } = query.before;
    where.push(or(lt(sessionRecord.createdAt, createdAt), and(eq(sessionRecord.createdAt, createdAt), lt(sessionRecord.id, id))));
  }
  return where.length > 0 ? and(...where) : undefined;
}

export async function listSessions(db: ResearchDb, query: SessionListQuery): Promise<SessionListPage> {
  // One row more than asked says whether another page follows.
  const page = db
    .select()
    .from(sessionRecord)
    .where(conditions(query))
    .orderBy(desc(sessionRecord.createdAt), desc(sessionRecord.id))
    .limit(query.limit + 1)
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
  const more = rows.length > query.limit;
  const kept = more ? rows.slice(0, query.limit) : rows;
  const last = kept.at(-1);
  return {
    items: kept.map((r) => ({
      ...sessionOut({ ...r, consented: Boolean(r.consented) }),
      n_answers: Number(r.nAnswers),
      last_turn: Number(r.lastTurn),
      last_answer_at: r.lastAnswerAt === null ? null : new Date(Number(r.lastAnswerAt)).toISOString(),
      avg_speaking_rate: numberOrNull(r.avgSpeakingRate),
      avg_pause_ratio: numberOrNull(r.avgPauseRatio),
      avg_gaze: numberOrNull(r.avgGaze),
      avg_fillers: numberOrNull(r.avgFillers),
    })),
    next: more && last ? `${Number(last.createdAt)}:${last.id}` : null,
  };
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
