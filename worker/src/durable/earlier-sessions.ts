/**
 * The participant's earlier sessions for the socket's `report` (README, protocol: `report`),
 * read from D1 with the same read as GET /sessions/:id/report (storage/feedback-reads.ts), so
 * the two reports agree.
 *
 * Read when the session starts, in the background, and kept in the object's storage with the
 * session's id (`EarlierSessionsCache`): the end then needs no D1 round trip before its last
 * reply, and a D1 outage at the end does not lose the comparison. Only when that read failed or
 * was never made (an object from before this) does the end read D1, waiting at most
 * `EARLIER_READ_TIMEOUT_MS`; D1 failing or slow then, the report goes out without it.
 */
import type { EarlierSessions } from "../engine/types.ts";
import { earlierSessions } from "../storage/feedback-reads.ts";
import type { ResearchDb } from "../storage/research-db.ts";

/** Long enough for a D1 read from any location, short enough that the end is not held up by an outage. */
export const EARLIER_READ_TIMEOUT_MS = 3_000;

/** What a read found: `earlier` null when the participant has no earlier sessions with feedback. */
export interface EarlierRead {
  earlier: EarlierSessions | null;
}

/** The read, or null when D1 failed or did not answer in time (logged). */
export async function tryReadEarlierSessions(db: () => ResearchDb, participantId: string, before: number): Promise<EarlierRead | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${EARLIER_READ_TIMEOUT_MS} ms`)), EARLIER_READ_TIMEOUT_MS);
    });
    return { earlier: await Promise.race([earlierSessions(db(), participantId, before), timeout]) };
  } catch (error) {
    console.warn(JSON.stringify({ event: "report_comparison_unavailable", participantId, detail: String(error).slice(0, 200) }));
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export async function readEarlierSessions(db: () => ResearchDb, participantId: string, before: number): Promise<EarlierSessions | null> {
  return (await tryReadEarlierSessions(db, participantId, before))?.earlier ?? null;
}

/** The start's read, kept under one key with the session it was made for. */
export class EarlierSessionsCache {
  static readonly KEY = "earlier_sessions";

  constructor(private readonly storage: DurableObjectStorage) {}

  /** The read made for `sessionId`, or undefined when there is none for it. */
  get(sessionId: string): EarlierRead | undefined {
    const kept = this.storage.kv.get<{ sessionId: string; earlier: EarlierSessions | null }>(EarlierSessionsCache.KEY);
    return kept?.sessionId === sessionId ? { earlier: kept.earlier } : undefined;
  }

  put(sessionId: string, read: EarlierRead): void {
    this.storage.kv.put(EarlierSessionsCache.KEY, { sessionId, earlier: read.earlier });
  }

  clear(): void {
    this.storage.kv.delete(EarlierSessionsCache.KEY);
  }
}
