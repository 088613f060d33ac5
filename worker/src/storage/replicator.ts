/**
 * Outbox → D1 replication for the interview Durable Object. The object writes every record
 * into its own SQLite (the commit journal, durable/commit-journal.ts) in the same transaction
 * as the state change; this module copies the waiting records to the research database, many
 * turns' records in one `db.batch` (one round trip, one transaction), and tells the journal
 * once D1 has them. Writes are idempotent (keys), so a batch whose answer was lost is simply sent again.
 *
 * Retry policy when the database fails: exponential backoff from 1 s, doubling, capped at
 * 5 minutes, driven by the object's alarm (which it shares with the session time limit).
 */
import type { PersistRecord } from "@interview/shared";
import type { ResearchDb } from "./research-db.ts";
import { insertRecords } from "./writes.ts";

/** Rows sent per round trip; the repository chunks them into statements under D1's limits. */
export const REPLICATION_BATCH = 200;
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 5 * 60_000;

/** The part of the outbox replication needs (CommitJournal implements it). */
export interface ReplicationSource {
  /** The oldest waiting records (about `limit`), with the last outbox row they came from. */
  pending(limit: number): { seq: number; records: PersistRecord[] } | null;
  /** D1 holds every record up to row `seq`: the `records` that `pending` gave with it. */
  removeThrough(seq: number, records: number): void;
}

/** Persisted between attempts so backoff survives eviction. */
export interface RetryState {
  attempt: number;
  retryAt: number;
}

/** Delay before retry number `attempt` (1-based). */
export function retryDelay(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/** Copies every pending row to the database; throws on the first failure. Returns the count. */
export async function drainOutbox(source: ReplicationSource, db: ResearchDb): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = source.pending(REPLICATION_BATCH);
    if (batch === null) return total;
    await insertRecords(db, batch.records);
    source.removeThrough(batch.seq, batch.records.length);
    total += batch.records.length;
  }
}
