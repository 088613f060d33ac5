/**
 * The participant's earlier sessions for the socket's `report` (README, protocol: `report`),
 * read from D1 by the interview object when a step ends the session, with the same read as
 * GET /sessions/:id/report (storage/feedback-reads.ts), so the two reports agree. The end
 * waits for it at most `EARLIER_READ_TIMEOUT_MS`; D1 failing or slow, the report goes out
 * without the comparison.
 */
import type { EarlierSessions } from "../engine/types.ts";
import { earlierSessions } from "../storage/feedback-reads.ts";
import type { ResearchDb } from "../storage/research-db.ts";

/** Long enough for a D1 read from any location, short enough that the end is not held up by an outage. */
export const EARLIER_READ_TIMEOUT_MS = 3_000;

export async function readEarlierSessions(db: () => ResearchDb, participantId: string, before: number): Promise<EarlierSessions | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${EARLIER_READ_TIMEOUT_MS} ms`)), EARLIER_READ_TIMEOUT_MS);
    });
    return await Promise.race([earlierSessions(db(), participantId, before), timeout]);
  } catch (error) {
    console.warn(JSON.stringify({ event: "report_comparison_unavailable", participantId, detail: String(error).slice(0, 200) }));
    return null;
  } finally {
    clearTimeout(timer);
  }
}
