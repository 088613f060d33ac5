/**
 * Reads for the end-of-session report (routes/session-report.ts, and the interview object for
 * the socket's `report`): a session's per-answer scores, and the same participant's earlier
 * sessions' scores for the comparison. One query per table, never one per session.
 */
import { and, asc, desc, eq, inArray, lt } from "drizzle-orm";
import { AnswerScoreSchema, type AnswerScore } from "@interview/shared";
import { feedbackRecord, sessionRecord } from "@interview/shared/db/schema";
import type { ResearchDb } from "./research-db.ts";
import { sessionAverages } from "../engine/session-report.ts";
import type { EarlierSessions } from "../engine/types.ts";

/** How many earlier sessions the comparison reads at most: the participant's latest ones. */
export const EARLIER_SESSIONS_MAX = 20;
/** Sessions looked at to find them: under D1's 100 bound parameters for the IN list. */
const SESSIONS_LOOKED_AT = 80;

function scoresOf(rows: readonly { score: string }[]): AnswerScore[] {
  const out: AnswerScore[] = [];
  for (const row of rows) {
    try {
      const parsed = AnswerScoreSchema.safeParse(JSON.parse(row.score));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // A row this version cannot read is left out of the report rather than failing it.
    }
  }
  return out;
}

/** The session's per-answer scores, by turn. */
export async function sessionScores(db: ResearchDb, sessionId: string): Promise<AnswerScore[]> {
  const rows = await db
    .select({ score: feedbackRecord.score })
    .from(feedbackRecord)
    .where(eq(feedbackRecord.sessionId, sessionId))
    .orderBy(asc(feedbackRecord.turn), asc(feedbackRecord.id));
  return scoresOf(rows);
}

/** The session's participant and start, for finding its earlier sessions; null when D1 has no row. */
export async function sessionOwner(db: ResearchDb, sessionId: string): Promise<{ participantId: string | null; createdAt: number } | null> {
  const rows = await db
    .select({ participantId: sessionRecord.participantId, createdAt: sessionRecord.createdAt })
    .from(sessionRecord)
    .where(eq(sessionRecord.id, sessionId))
    .limit(1);
  return rows[0] ?? null;
}

/** Scores of the participant's sessions that started before `before`, per session (latest 20 sessions with feedback). */
export async function earlierScores(db: ResearchDb, participantId: string, before: number): Promise<AnswerScore[][]> {
  const sessions = await db
    .select({ id: sessionRecord.id })
    .from(sessionRecord)
    .where(and(eq(sessionRecord.participantId, participantId), lt(sessionRecord.createdAt, before)))
    .orderBy(desc(sessionRecord.createdAt))
    .limit(SESSIONS_LOOKED_AT);
  // Oldest first; a session without feedback (no consent, no answer) is skipped.
  const ids = sessions.map((s) => s.id).reverse();
  if (ids.length === 0) return [];
  const rows = await db
    .select({ sessionId: feedbackRecord.sessionId, score: feedbackRecord.score })
    .from(feedbackRecord)
    .where(inArray(feedbackRecord.sessionId, ids))
    .orderBy(asc(feedbackRecord.turn), asc(feedbackRecord.id));
  const bySession = new Map<string, { score: string }[]>();
  for (const row of rows) bySession.set(row.sessionId, [...(bySession.get(row.sessionId) ?? []), row]);
  return ids
    .filter((id) => bySession.has(id))
    .slice(-EARLIER_SESSIONS_MAX)
    .map((id) => scoresOf(bySession.get(id)!))
    .filter((scores) => scores.length > 0);
}

/**
 * The comparison's side of the earlier sessions: how many, and their averages over all their
 * answers; null when the participant has none with stored feedback. The report adds this
 * session's averages (engine/session-report.ts).
 */
export async function earlierSessions(db: ResearchDb, participantId: string, before: number): Promise<EarlierSessions | null> {
  const sessions = await earlierScores(db, participantId, before);
  return sessions.length === 0 ? null : { sessions: sessions.length, earlier: sessionAverages(sessions.flat()) };
}
