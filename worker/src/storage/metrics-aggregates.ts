/** The sums and counts behind `/metrics/summary`: a few grouped queries, whatever the number of sessions. */
import { and, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { answerRecord, checkinRecord, sessionRecord, telemetryRecord } from "@interview/shared/db/schema";
import type { ResearchDb } from "./research-db.ts";

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
