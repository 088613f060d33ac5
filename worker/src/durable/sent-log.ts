/**
 * Every numbered message of the current session, kept in the object's SQLite so a client
 * that reconnects with `?lastSeq=N` receives what it missed, across hibernation, eviction
 * and deploys. The messages of one commit are one row, written in the same transaction as
 * the state that produced them, so a message is kept exactly when it could have been sent.
 *
 * Bounded: the last `REPLAY_LIMIT` messages of the session; a new session on the object
 * drops the previous one's.
 */
const SCHEMA_KEY = "sent_log_schema";
const SCHEMA_VERSION = 1;

/** Messages kept for replay: an hour-long interview sends a few hundred. */
export const REPLAY_LIMIT = 2_000;

export interface SentBatch {
  sessionId: string;
  firstSeq: number;
  lastSeq: number;
  /** The messages as sent: JSON text of each, in order. */
  frames: readonly string[];
}

export class SentLog {
  private ready = false;

  constructor(
    private readonly sql: SqlStorage,
    private readonly kv: SyncKvStorage,
  ) {}

  /** Call inside the commit's transaction. */
  append(batch: SentBatch): void {
    this.ensureTable();
    if (batch.firstSeq === 1) this.sql.exec("DELETE FROM sent_log WHERE session_id != ?", batch.sessionId);
    this.sql.exec(
      "INSERT INTO sent_log (session_id, first_seq, last_seq, frames) VALUES (?, ?, ?, ?)",
      batch.sessionId,
      batch.firstSeq,
      batch.lastSeq,
      `[${batch.frames.join(",")}]`,
    );
    // Prune once per hundred messages, not on every commit.
    if (Math.floor(batch.lastSeq / 100) !== Math.floor((batch.firstSeq - 1) / 100) && batch.lastSeq > REPLAY_LIMIT) {
      this.sql.exec("DELETE FROM sent_log WHERE session_id = ? AND last_seq <= ?", batch.sessionId, batch.lastSeq - REPLAY_LIMIT);
    }
  }

  /**
   * The session's messages after `lastSeq`, in order, as JSON text; `complete` is false when
   * some of them are no longer kept.
   */
  after(sessionId: string, lastSeq: number): { frames: string[]; complete: boolean } {
    if (!this.exists()) return { frames: [], complete: lastSeq === 0 };
    const frames: string[] = [];
    let next = lastSeq + 1;
    let complete = true;
    for (const row of this.sql.exec<{ first_seq: number; last_seq: number; frames: string }>(
      "SELECT first_seq, last_seq, frames FROM sent_log WHERE session_id = ? AND last_seq > ? ORDER BY first_seq",
      sessionId,
      lastSeq,
    )) {
      if (row.first_seq > next) complete = false;
      const messages = JSON.parse(row.frames) as unknown[];
      messages.forEach((message, i) => {
        if (row.first_seq + i > lastSeq) frames.push(JSON.stringify(message));
      });
      next = row.last_seq + 1;
    }
    return { frames, complete };
  }

  deleteSession(sessionId: string): void {
    if (this.exists()) this.sql.exec("DELETE FROM sent_log WHERE session_id = ?", sessionId);
  }

  private exists(): boolean {
    this.ready ||= this.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION;
    return this.ready;
  }

  private ensureTable(): void {
    if (this.exists()) return;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS sent_log (
      first_seq INTEGER NOT NULL,
      last_seq INTEGER NOT NULL,
      session_id TEXT NOT NULL,
      frames TEXT NOT NULL,
      PRIMARY KEY (session_id, first_seq)
    )`);
    this.kv.put(SCHEMA_KEY, SCHEMA_VERSION);
    this.ready = true;
  }
}
