/**
 * Runs the outbox-to-D1 replication of one interview object: one run at a time, chained so
 * a failed run cannot stop later ones, with the retry state kept in the object's storage so
 * backoff survives eviction. The object's alarm drives the retries; `rearm` tells the
 * object that the retry time moved.
 */
import type { ResearchDb } from "../storage/research-db.ts";
import { drainOutbox, retryDelay, type ReplicationSource, type RetryState } from "../storage/replicator.ts";

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
    try {
      await drainOutbox(this.outbox, this.db());
      if (this.retry) {
        this.retry = null;
        this.kv.delete(RETRY_KEY);
        await this.rearm();
      }
    } catch (error) {
      const attempt = (this.retry?.attempt ?? 0) + 1;
      this.retry = { attempt, retryAt: Date.now() + retryDelay(attempt) };
      console.warn(`${this.label}: replication to D1 failed (attempt ${attempt}); retrying by alarm`, error);
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
