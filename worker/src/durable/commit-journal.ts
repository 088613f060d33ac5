/**
 * One row per storage commit of an interview object, in its SQLite: the records the commit
 * produced for D1 and the numbered messages it sent, written in the same transaction as the
 * state change, before any reply leaves the object. Two readers share the row:
 *
 * - replication (outbox-replication.ts) copies the waiting records to D1 in order and then
 *   moves the journal's replicated mark past them (`removeThrough`), so nothing acknowledged to
 *   a client can be lost;
 * - a client resuming with `?lastSeq=N` gets the current session's messages after N (`after`),
 *   across hibernation, eviction and deploys.
 *
 * A row leaves once D1 has its records AND replay no longer needs its messages: they belong to
 * an older session, or are older than the session's last `REPLAY_LIMIT` messages. Until then
 * a row whose records D1 has stays as written (rewriting it to drop them cost a flush more
 * than the journal saved). One row instead of an outbox row and a replay-log row saves one
 * SQL write per turn (the fleet bench's profile: each write costs about as much as the echo
 * object's whole message).
 *
 * An object from before keeps its rows: the outbox (`record_batches`, or the first layout's
 * one row per record in `outbox`) and the replay log (`sent_log`) are moved over once.
 *
 * Duplicates (an HTTP check-in retried with the same Idempotency-Key) are not filtered here:
 * every D1 insert skips a key it already has.
 */
import type { PersistRecord } from "@interview/shared";
import type { ReplicationSource } from "../storage/replicator.ts";

/** Set once the table exists, so the DDL runs once in the object's life, not per wake-up. */
const SCHEMA_KEY = "journal_schema";
const SCHEMA_VERSION = 1;
/** The last row whose records D1 holds: rows after it wait for replication. */
const REPLICATED_KEY = "journal_replicated";
/** The layouts before the journal: their tables and schema keys. */
const OLD_TABLES = ["outbox", "record_batches", "sent_log"] as const;
const OLD_KEYS = ["outbox_schema", "sent_log_schema"] as const;

/** Messages kept for replay: an hour-long interview sends a few hundred. */
export const REPLAY_LIMIT = 2_000;

export interface SentBatch {
  firstSeq: number;
  lastSeq: number;
  /** The messages as sent: JSON text of each, in order. */
  frames: readonly string[];
}

export interface CommitEntry {
  /** The session the messages belong to (the current one). */
  sessionId: string;
  records: readonly PersistRecord[];
  /** The commit's numbered messages, or null when it sent none. */
  sent: SentBatch | null;
}

export interface WaitingRecords {
  /** The last row the records came from: `removeThrough(seq, records.length)` once D1 has them. */
  seq: number;
  records: PersistRecord[];
}

export class CommitJournal implements ReplicationSource {
  private ready = false;
  /** Records waiting for D1, or null when not counted yet in this instance. */
  private backlog: number | null = null;
  /** The stored replicated mark, read on first use. */
  private replicatedMark: number | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Call inside the commit's transaction: one row (more only if records span sessions). */
  append(entry: CommitEntry): void {
    const { sessionId, records, sent } = entry;
    if (records.length === 0 && sent === null) return;
    this.ensureTable();
    const before = this.size();
    // A new session drops the previous one's messages (rows whose records D1 has, or that had
    // none; the rest go at the next flush).
    if (sent?.firstSeq === 1) {
      this.sql.exec("DELETE FROM journal WHERE session_id != ? AND (count = 0 OR seq <= ?)", sessionId, this.replicated);
    }
    // A row holds one session's records; a commit's records are all of its session but for a
    // rare start that also closes another: those get rows of their own, without messages.
    const own = records.every((r) => r.sessionId === sessionId) ? records : records.filter((r) => r.sessionId === sessionId);
    if (own !== records) {
      for (const other of new Set(records.map((r) => r.sessionId))) {
        if (other !== sessionId) this.insert(other, records.filter((r) => r.sessionId === other), null);
      }
    }
    if (own.length > 0 || sent !== null) this.insert(sessionId, own, sent);
    this.backlog = before + records.length;
    // Past the replay bound, pruned once per hundred messages, not on every commit.
    if (sent && sent.lastSeq > REPLAY_LIMIT && Math.floor(sent.lastSeq / 100) !== Math.floor((sent.firstSeq - 1) / 100)) {
      this.sql.exec(
        "DELETE FROM journal WHERE session_id = ? AND last_seq <= ? AND (count = 0 OR seq <= ?)",
        sessionId,
        sent.lastSeq - REPLAY_LIMIT,
        this.replicated,
      );
    }
  }

  private insert(sessionId: string, records: readonly PersistRecord[], sent: SentBatch | null): void {
    // Always after the replicated mark, even when the newest rows were deleted (a forgotten
    // session): a row numbered at or below it would count as in D1.
    this.sql.exec(
      `INSERT INTO journal (seq, session_id, count, first_seq, last_seq, records, frames)
        VALUES (max(?, ifnull((SELECT max(seq) FROM journal), 0)) + 1, ?, ?, ?, ?, ?, ?)`,
      this.replicated,
      sessionId,
      records.length,
      sent?.firstSeq ?? null,
      sent?.lastSeq ?? null,
      records.length > 0 ? JSON.stringify(records) : null,
      sent ? `[${sent.frames.join(",")}]` : null,
    );
  }

  /**
   * The commit `append` was part of did not happen (its transaction threw): what this instance
   * remembers of the table is read again from storage.
   */
  rolledBack(): void {
    this.ready = false;
    this.backlog = null;
    this.replicatedMark = undefined;
  }

  /** Records waiting for D1. */
  size(): number {
    if (this.backlog === null) {
      this.backlog = this.exists()
        ? (this.sql.exec<{ n: number | null }>("SELECT sum(count) AS n FROM journal WHERE seq > ?", this.replicated).one().n ?? 0)
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
      "SELECT seq, count, records FROM journal WHERE seq > ? AND count > 0 ORDER BY seq",
      this.replicated,
    )) {
      if (records.length > 0 && records.length + row.count > limit) break;
      records.push(...(JSON.parse(row.records) as PersistRecord[]));
      seq = row.seq;
    }
    return records.length > 0 ? { seq, records } : null;
  }

  /**
   * D1 holds every record up to row `seq` (`records` of them, as `pending` gave them): the
   * replicated mark moves past them, and rows replay no longer needs leave.
   */
  removeThrough(seq: number, records: number): void {
    this.storage.kv.put(REPLICATED_KEY, seq);
    this.replicatedMark = seq;
    const current = this.sql
      .exec<{ session_id: string; last_seq: number }>(
        "SELECT session_id, last_seq FROM journal WHERE frames IS NOT NULL ORDER BY seq DESC LIMIT 1",
      )
      .toArray()[0];
    this.sql.exec(
      "DELETE FROM journal WHERE seq <= ? AND (frames IS NULL OR session_id != ? OR last_seq <= ?)",
      seq,
      current?.session_id ?? "",
      current ? current.last_seq - REPLAY_LIMIT : Number.MAX_SAFE_INTEGER,
    );
    if (this.backlog !== null) this.backlog = Math.max(0, this.backlog - records);
  }

  /** A session's records still waiting for D1. */
  waiting(sessionId: string): PersistRecord[] {
    if (!this.exists()) return [];
    return this.sql
      .exec<{ records: string }>("SELECT records FROM journal WHERE session_id = ? AND seq > ? AND count > 0 ORDER BY seq", sessionId, this.replicated)
      .toArray()
      .flatMap((row) => JSON.parse(row.records) as PersistRecord[]);
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
      "SELECT first_seq, last_seq, frames FROM journal WHERE session_id = ? AND frames IS NOT NULL AND last_seq > ? ORDER BY first_seq",
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

  /**
   * The session's messages, once no resume can ask for them (it ended: an ended session is not
   * resumed). For a session without consent they quote its answers (tips, feedback, report),
   * so they go at once rather than when the next session starts. Rows still holding records
   * for D1 keep those.
   */
  forgetMessages(sessionId: string): void {
    if (!this.exists()) return;
    this.sql.exec("DELETE FROM journal WHERE session_id = ? AND (count = 0 OR seq <= ?)", sessionId, this.replicated);
    this.sql.exec("UPDATE journal SET frames = NULL, first_seq = NULL, last_seq = NULL WHERE session_id = ? AND frames IS NOT NULL", sessionId);
  }

  /** Everything kept of a session: its waiting records and its messages. */
  deleteSession(sessionId: string): void {
    if (!this.exists()) return;
    this.sql.exec("DELETE FROM journal WHERE session_id = ?", sessionId);
    this.backlog = null;
  }

  private get replicated(): number {
    this.replicatedMark ??= this.storage.kv.get<number>(REPLICATED_KEY) ?? 0;
    return this.replicatedMark;
  }

  private exists(): boolean {
    if (!this.ready && this.storage.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION) this.ready = true;
    // An object from before the journal keeps its rows: they are moved over on first use.
    if (!this.ready && this.oldTables().length > 0) this.ensureTable();
    return this.ready;
  }

  private ensureTable(): void {
    if (this.ready || this.storage.kv.get<number>(SCHEMA_KEY) === SCHEMA_VERSION) {
      this.ready = true;
      return;
    }
    // Nested in the commit's transaction when appending: all of it or nothing.
    this.storage.transactionSync(() => {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        count INTEGER NOT NULL,
        first_seq INTEGER,
        last_seq INTEGER,
        records TEXT,
        frames TEXT
      )`);
      this.moveOldLayout();
      // A new table: every row in it waits for D1.
      this.storage.kv.delete(REPLICATED_KEY);
      this.replicatedMark = 0;
      this.storage.kv.put(SCHEMA_KEY, SCHEMA_VERSION);
    });
    this.ready = true;
  }

  /**
   * The replay log's messages first (their order among the records does not matter: replay
   * reads by seq), then the waiting records in the order they were written.
   */
  private moveOldLayout(): void {
    const old = new Set(this.oldTables());
    if (old.has("sent_log")) {
      this.sql.exec(`INSERT INTO journal (session_id, count, first_seq, last_seq, records, frames)
        SELECT session_id, 0, first_seq, last_seq, NULL, frames FROM sent_log ORDER BY session_id, first_seq`);
    }
    if (old.has("outbox")) {
      // The first layout: one row per record, kept after replication with replicated = 1.
      this.sql.exec(`INSERT INTO journal (session_id, count, records)
        SELECT session_id, 1, '[' || record || ']' FROM outbox WHERE replicated = 0 ORDER BY seq`);
    }
    if (old.has("record_batches")) {
      this.sql.exec(`INSERT INTO journal (session_id, count, records)
        SELECT session_id, count, records FROM record_batches ORDER BY seq`);
    }
    for (const table of old) this.sql.exec(`DROP TABLE ${table}`);
    for (const key of OLD_KEYS) this.storage.kv.delete(key);
  }

  private oldTables(): string[] {
    return this.sql
      .exec<{ name: string }>(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (${OLD_TABLES.map((t) => `'${t}'`).join(", ")})`,
      )
      .toArray()
      .map((row) => row.name);
  }
}
