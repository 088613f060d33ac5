/**
 * Runs the outbox-to-D1 replication (the commit journal's waiting records) of one interview
 * object: one run at a time, chained so a failed run cannot stop later ones, with the retry
 * state kept in the object's storage so backoff survives eviction. The object's alarm drives
 * the retries; `rearm` tells the object that the retry time moved. Each run that moved or
 * failed to move records is reported (`report`: the operator figures, ops/figures.ts) with its
 * lag: the age of the oldest record it handled.
 */
import type { ResearchDb } from "../storage/research-db.ts";
import { drainOutbox, retryDelay, type ReplicationSource, type RetryState } from "../storage/replicator.ts";

/** One replication run, for the operator figures. */
export interface ReplicationRun {
  outcome: "ok" | "failed";
  /** Records copied (ok), or records the failed attempt tried to copy. */
  rows: number;
  /** Age of the oldest record the run handled, when it ended (ms). */
  lagMs: number;
  /** 0 after a success; the failed attempt's number otherwise. */
  attempt: number;
}

const RETRY_KEY = "replication_retry";

export class OutboxReplication {
  private chain: Promise<void> = Promise.resolve();
  /** Read from storage on first use: most wake-ups never need it. */
  private retryState: RetryState | null | undefined;

  constructor(
    private readonly outbox: ReplicationSource,
    private readonly kv: SyncKvStorage,
    private readonly db: () => ResearchDb,
    private readonly rearm: () => Promise<void>,
    private readonly label: string,
    private readonly report?: (run: ReplicationRun) => void,
  ) {}

  private get retry(): RetryState | null {
    if (this.retryState === undefined) this.retryState = this.kv.get<RetryState>(RETRY_KEY) ?? null;
    return this.retryState;
  }

  private set retry(value: RetryState | null) {
    this.retryState = value;
  }

  /** When the next retry is due, or null when nothing failed. */
  get retryAt(): number | null {
    return this.retry?.retryAt ?? null;
  }

  /** Copies unreplicated rows to D1; never throws, so callers can fire and forget. */
  run(): Promise<void> {
    this.chain = this.chain.catch(() => undefined).then(() => this.once());
    return this.chain;
  }

  /** Resolves once the run in flight, if any, is over. */
  settled(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  private async once(): Promise<void> {
    // The oldest record the run reads and how many: its lag, for the figures.
    let oldest = Number.POSITIVE_INFINITY;
    let read = 0;
    const observed: ReplicationSource = {
      pending: (limit) => {
        const batch = this.outbox.pending(limit);
        for (const record of batch?.records ?? []) oldest = Math.min(oldest, record.createdAt);
        read += batch?.records.length ?? 0;
        return batch;
      },
      removeThrough: (seq, records) => this.outbox.removeThrough(seq, records),
    };
    const lag = () => (Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) : 0);
    try {
      const copied = await drainOutbox(observed, this.db());
      if (copied > 0) this.report?.({ outcome: "ok", rows: copied, lagMs: lag(), attempt: 0 });
      if (this.retry) {
        this.retry = null;
        this.kv.delete(RETRY_KEY);
        await this.rearm();
      }
    } catch (error) {
      const attempt = (this.retry?.attempt ?? 0) + 1;
      this.retry = { attempt, retryAt: Date.now() + retryDelay(attempt) };
      console.warn(`${this.label}: replication to D1 failed (attempt ${attempt}); retrying by alarm`, error);
      this.report?.({ outcome: "failed", rows: read, lagMs: lag(), attempt });
      try {
        this.kv.put(RETRY_KEY, this.retry);
        await this.rearm();
      } catch (storageError) {
        // The rows stay in the outbox; the next write or alarm tries again.
        console.error(`${this.label}: could not schedule the replication retry`, storageError);
      }
    }
  }
}
