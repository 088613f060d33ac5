/**
 * The records an interview has produced and D1 does not have yet, in the Durable Object's
 * SQLite. A record is written here in the same storage transaction as the state change that
 * produced it, before any reply leaves the object, so nothing acknowledged to the client can
 * be lost. Replication reads the oldest rows and removes them once D1 holds them, so the
 * table only ever holds the backlog (storage/README.md, "The write path").
 */
import type { PersistRecord } from "@interview/shared";

/** Set once the table exists, so the DDL runs once in the object's life, not per wake-up. */
const SCHEMA_KEY = "outbox_schema";
const SCHEMA_VERSION = 1;

export class RecordOutbox {
  private ready = false;
  private backlog: number | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {}

  /** Idempotent: a record whose key is already waiting here is skipped. */
  append(records: readonly PersistRecord[]): void {
    if (records.length === 0) return;
    this.ensureTable();
    const before = this.size();
    for (const record of records) {
      this.sql.exec(
        "INSERT OR IGNORE INTO outbox (key, session_id, record) VALUES (?, ?, ?)",
        record.key,
        record.sessionId,
        JSON.stringify(record),
      );
    }
    this.backlog = before + records.length;
  }

  /** Rows waiting for D1 (an upper bound right after an append that skipped duplicates). */
  size(): number {
    if (this.backlog === null) {
      this.backlog = this.exists() ? this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE replicated = 0").one().n : 0;
    }
    return this.backlog;
  }

  pending(limit: number): { seq: number; record: PersistRecord }[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<{ seq: number; record: string }>("SELECT seq, record FROM outbox WHERE replicated = 0 ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => ({ seq: row.seq, record: JSON.parse(row.record) as PersistRecord }));
  }

  /** D1 holds every row up to `seq`: they leave the object. */
  removeThrough(seq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", seq);
    this.backlog = null;
  }

  /** A session's records still waiting for D1. */
  waiting(sessionId: string): PersistRecord[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<{ record: string }>("SELECT record FROM outbox WHERE session_id = ? AND replicated = 0 ORDER BY seq", sessionId)
      .toArray()
      .map((row) => JSON.parse(row.record) as PersistRecord);
  }

  deleteSession(sessionId: string): void {
    if (!this.exists()) return;
    this.sql.exec("DELETE FROM outbox WHERE session_id = ?", sessionId);
    this.backlog = null;
  }

  private exists(): boolean {
    // Objects from before the schema key have the table without the key: one look, then memory.
    this.ready ||=
      this.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION ||
      this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox'").toArray().length > 0;
    return this.ready;
  }

  private ensureTable(): void {
    if (this.exists()) return;
    // `replicated` is kept for objects created before rows were deleted on replication.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      session_id TEXT NOT NULL,
      record TEXT NOT NULL,
      replicated INTEGER NOT NULL DEFAULT 0
    )`);
    this.kv.put(SCHEMA_KEY, SCHEMA_VERSION);
    this.ready = true;
  }
}
