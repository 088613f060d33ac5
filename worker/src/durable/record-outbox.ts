/**
 * The records an interview has produced and D1 does not have yet, in the Durable Object's
 * SQLite. The records of one commit are written here as one row, in the same storage
 * transaction as the state change that produced them, before any reply leaves the object, so
 * nothing acknowledged to the client can be lost. Replication reads the oldest rows and
 * removes them once D1 holds them, so the table only ever holds the backlog
 * (storage/README.md, "The write path").
 *
 * Duplicates (an HTTP check-in retried with the same Idempotency-Key) are not filtered here:
 * every D1 insert skips a key it already has.
 */
import type { PersistRecord } from "@interview/shared";

/** Set once the table exists, so the DDL runs once in the object's life, not per wake-up. */
const SCHEMA_KEY = "outbox_schema";
const SCHEMA_VERSION = 2;

export interface WaitingRecords {
  /** The last row the records came from: `removeThrough(seq)` once D1 has them. */
  seq: number;
  records: PersistRecord[];
}

export class RecordOutbox {
  private ready = false;
  /** Records waiting, or null when not counted yet in this instance. */
  private backlog: number | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {}

  /** One row for the records of one commit (all of one session). */
  append(records: readonly PersistRecord[]): void {
    if (records.length === 0) return;
    this.ensureTable();
    const before = this.size();
    this.sql.exec(
      "INSERT INTO record_batches (session_id, count, records) VALUES (?, ?, ?)",
      records[0]!.sessionId,
      records.length,
      JSON.stringify(records),
    );
    this.backlog = before + records.length;
  }

  /** Records waiting for D1. */
  size(): number {
    if (this.backlog === null) {
      this.backlog = this.exists()
        ? (this.sql.exec<{ n: number | null }>("SELECT sum(count) AS n FROM record_batches").one().n ?? 0)
        : 0;
    }
    return this.backlog;
  }

  /** The oldest waiting records, whole rows up to about `limit` records; null when none wait. */
  pending(limit: number): WaitingRecords | null {
    if (!this.exists()) return null;
    const records: PersistRecord[] = [];
    let seq = 0;
    for (const row of this.sql.exec<{ seq: number; count: number; records: string }>(
      "SELECT seq, count, records FROM record_batches ORDER BY seq",
    )) {
      if (records.length > 0 && records.length + row.count > limit) break;
      records.push(...(JSON.parse(row.records) as PersistRecord[]));
      seq = row.seq;
    }
    return records.length > 0 ? { seq, records } : null;
  }

  /** D1 holds every record up to row `seq`: they leave the object. */
  removeThrough(seq: number): void {
    // The count of what left keeps the backlog known without summing the table again.
    let removed = 0;
    for (const row of this.sql.exec<{ count: number }>("DELETE FROM record_batches WHERE seq <= ? RETURNING count", seq)) removed += row.count;
    if (this.backlog !== null) this.backlog = Math.max(0, this.backlog - removed);
  }

  /** A session's records still waiting for D1. */
  waiting(sessionId: string): PersistRecord[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<{ records: string }>("SELECT records FROM record_batches WHERE session_id = ? ORDER BY seq", sessionId)
      .toArray()
      .flatMap((row) => JSON.parse(row.records) as PersistRecord[]);
  }

  deleteSession(sessionId: string): void {
    if (!this.exists()) return;
    this.sql.exec("DELETE FROM record_batches WHERE session_id = ?", sessionId);
    this.backlog = null;
  }

  private exists(): boolean {
    if (!this.ready && this.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION) this.ready = true;
    // An object from before the schema key (one row per record in `outbox`) is moved over once.
    if (!this.ready && this.legacyTableExists()) this.ensureTable();
    return this.ready;
  }

  private ensureTable(): void {
    if (this.ready || this.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION) {
      this.ready = true;
      return;
    }
    // In the caller's transaction when appending; otherwise in this event's implicit one.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS record_batches (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      session_id TEXT NOT NULL,
      count INTEGER NOT NULL,
      records TEXT NOT NULL
    )`);
    if (this.legacyTableExists()) {
      this.sql.exec(`INSERT INTO record_batches (session_id, count, records)
        SELECT session_id, 1, '[' || record || ']' FROM outbox WHERE replicated = 0 ORDER BY seq`);
      this.sql.exec("DROP TABLE outbox");
    }
    this.kv.put(SCHEMA_KEY, SCHEMA_VERSION);
    this.ready = true;
  }

  private legacyTableExists(): boolean {
    return this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").toArray().length > 0;
  }
}
