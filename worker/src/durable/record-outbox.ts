/**
 * The interview's own copy of everything it persists, in the Durable Object's SQLite. A
 * record is written here in the same storage transaction as the state change that produced
 * it, before any reply leaves the object, so nothing acknowledged to the client can be lost.
 * Replication to D1 reads the rows not yet marked as replicated.
 */
import type { PersistRecord } from "@interview/shared";

export class RecordOutbox {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      session_id TEXT NOT NULL,
      record TEXT NOT NULL,
      replicated INTEGER NOT NULL DEFAULT 0
    )`);
  }

  /** Idempotent: a record whose key is already here is skipped. */
  append(records: readonly PersistRecord[]): void {
    for (const record of records) {
      this.sql.exec(
        "INSERT OR IGNORE INTO outbox (key, session_id, record) VALUES (?, ?, ?)",
        record.key,
        record.sessionId,
        JSON.stringify(record),
      );
    }
  }

  pending(limit: number): { seq: number; record: PersistRecord }[] {
    return this.sql
      .exec<{ seq: number; record: string }>(
        "SELECT seq, record FROM outbox WHERE replicated = 0 ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((row) => ({ seq: row.seq, record: JSON.parse(row.record) as PersistRecord }));
  }

  markReplicated(seqs: readonly number[]): void {
    for (const seq of seqs) this.sql.exec("UPDATE outbox SET replicated = 1 WHERE seq = ?", seq);
  }

  all(sessionId: string): PersistRecord[] {
    return this.sql
      .exec<{ record: string }>("SELECT record FROM outbox WHERE session_id = ? ORDER BY seq", sessionId)
      .toArray()
      .map((row) => JSON.parse(row.record) as PersistRecord);
  }

  deleteSession(sessionId: string): void {
    this.sql.exec("DELETE FROM outbox WHERE session_id = ?", sessionId);
  }
}
