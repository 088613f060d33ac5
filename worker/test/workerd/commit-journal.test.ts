/**
 * The commit journal (durable/commit-journal.ts): one row per storage commit holds the records
 * for D1 and the numbered messages for resumes. A turn adds one row; once D1 has the records
 * they no longer count as waiting (a replicated mark), and a resume still replays the row's
 * messages; a row leaves only when D1 has its records and replay no longer needs its messages. An object with the layout before
 * (an outbox of record batches and a separate replay log) is moved over once, losing nothing.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import type { PersistRecord } from "@interview/shared";
import { CommitJournal, REPLAY_LIMIT } from "../../src/durable/commit-journal.ts";
import { exportSession } from "../../src/storage/reads.ts";
import { connect, interviewOf, startInterview } from "./socket-client.ts";

const db = drizzle(env.DB);
const ANSWER = "I split the billing module out and cut deploy time from 40 to 9 minutes.";

type JournalRow = {
  seq: number;
  session_id: string;
  count: number;
  first_seq: number | null;
  last_seq: number | null;
  records: string | null;
  frames: string | null;
};

const rowsOf = (storage: DurableObjectStorage) => storage.sql.exec<JournalRow>("SELECT * FROM journal ORDER BY seq").toArray();
const tables = (storage: DurableObjectStorage) =>
  storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").toArray().map((r) => r.name);

const resumeQuery = (started: { session_id: string; resumeToken: string }, lastSeq: number) =>
  `?session=${started.session_id}&token=${encodeURIComponent(started.resumeToken)}&lastSeq=${lastSeq}`;

function answerRecord(sessionId: string, turn: number): PersistRecord {
  return {
    kind: "answer", key: `${sessionId}:${turn}`, sessionId, turn, answer: `answer ${turn}`, style: "neutral", group: "control",
    speakingRate: null, pauseRatio: null, gaze: null, fillers: null, createdAt: Date.now(),
  } as PersistRecord;
}

describe("the commit journal", () => {
  it("writes one row per turn holding its records and its messages; after the flush the messages stay for a resume", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    const before = await runInDurableObject(stub, (_i, state) => rowsOf(state.storage));
    const lastSeen = socket.lastSeq!;
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("interviewer_message");
    const after = await runInDurableObject(stub, (_i, state) => {
      // The layouts before the journal are never created.
      expect(tables(state.storage)).not.toContain("sent_log");
      expect(tables(state.storage)).not.toContain("record_batches");
      return rowsOf(state.storage);
    });
    expect(after).toHaveLength(before.length + 1);
    const turn = after.at(-1)!;
    expect(turn.count).toBeGreaterThan(0);
    expect((JSON.parse(turn.records!) as PersistRecord[]).map((r) => r.kind)).toContain("answer");
    expect([turn.first_seq, turn.last_seq]).toEqual([lastSeen + 1, socket.lastSeq]);
    expect((JSON.parse(turn.frames!) as { type: string }[]).map((f) => f.type)).toEqual(["tips", "feedback", "question", "interviewer_message"]);

    expect(await stub.flush()).toBe(0);
    expect((await exportSession(db, started.session_id))!.answers).toHaveLength(1);
    expect(await stub.backlog(started.session_id)).toEqual([]);
    const flushed = await runInDurableObject(stub, (_i, state) => {
      // A fresh reader: the mark is stored, not only in the object's memory.
      expect(new CommitJournal(state.storage).size()).toBe(0);
      return rowsOf(state.storage);
    });
    expect(flushed).toHaveLength(after.length);
    expect(flushed.at(-1)!.frames).toBe(turn.frames);
    socket.close();

    const again = await connect(resumeQuery(started, lastSeen), {}, lastSeen);
    await again.next("session_resumed");
    expect((await again.collectUntil("interviewer_message")).map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    await again.expectSilence();
    again.close();
  });

  it("keeps a row past the replay bound or of an older session until D1 has its records", async () => {
    const stub = env.INTERVIEW.get(env.INTERVIEW.newUniqueId());
    await runInDurableObject(stub, (_instance, state) => {
      const journal = new CommitJournal(state.storage);
      // An old session: its last commit's records not yet in D1.
      journal.append({ sessionId: "old", records: [answerRecord("old", 1)], sent: { firstSeq: 1, lastSeq: 1, frames: ['{"seq":1}'] } });
      // A long new session: every commit with a record, 10 messages each.
      for (let first = 1; first <= REPLAY_LIMIT + 500; first += 10) {
        const frames = Array.from({ length: 10 }, (_, i) => JSON.stringify({ seq: first + i }));
        journal.append({ sessionId: "new", records: [answerRecord("new", first)], sent: { firstSeq: first, lastSeq: first + 9, frames } });
      }
      const commits = (REPLAY_LIMIT + 500) / 10;
      expect(journal.size()).toBe(1 + commits);
      // Nothing is dropped while its records wait: not the old session, not past the bound.
      expect(journal.waiting("old")).toHaveLength(1);
      expect(rowsOf(state.storage)).toHaveLength(1 + commits);

      // D1 took the oldest 100 records (the old session's and 99 commits of the new one).
      const first = journal.pending(100)!;
      expect(first.records).toHaveLength(100);
      journal.removeThrough(first.seq, first.records.length);
      expect(journal.size()).toBe(commits - 99);
      expect(journal.waiting("old")).toEqual([]);
      // The old session's row and the new session's rows older than the bound are gone; the rest keep their messages.
      const rows = rowsOf(state.storage);
      expect(rows.some((r) => r.session_id === "old")).toBe(false);
      expect(rows).toHaveLength(commits - 50);
      expect(journal.after("new", 0).complete).toBe(false);
      expect(journal.after("new", 500).frames).toHaveLength(REPLAY_LIMIT);

      // Everything in D1: rows within the bound stay for replay; nothing waits, for a fresh reader too.
      const rest = journal.pending(10_000)!;
      expect(rest.records).toHaveLength(commits - 99);
      journal.removeThrough(rest.seq, rest.records.length);
      expect(journal.size()).toBe(0);
      expect(journal.pending(10)).toBeNull();
      expect(journal.waiting("new")).toEqual([]);
      expect(new CommitJournal(state.storage).size()).toBe(0);
      expect(rowsOf(state.storage)).toHaveLength(commits - 50);
      expect(journal.after("new", 500).frames).toHaveLength(REPLAY_LIMIT);

      // A forgotten session's rows go; what comes after is still counted as waiting.
      journal.deleteSession("new");
      expect(rowsOf(state.storage)).toEqual([]);
      journal.append({ sessionId: "next", records: [answerRecord("next", 1)], sent: { firstSeq: 1, lastSeq: 1, frames: ['{"seq":1}'] } });
      expect(new CommitJournal(state.storage).size()).toBe(1);
      expect(journal.pending(10)!.records).toHaveLength(1);
    });
  });

  it("moves the layout of before over inside the first commit's own transaction, and rolls back with it", async () => {
    const stub = env.INTERVIEW.get(env.INTERVIEW.newUniqueId());
    await runInDurableObject(stub, (_instance, state) => {
      const { sql, kv } = state.storage;
      sql.exec("CREATE TABLE record_batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, count INTEGER NOT NULL, records TEXT NOT NULL)");
      sql.exec("INSERT INTO record_batches (session_id, count, records) VALUES ('s', 1, ?)", JSON.stringify([answerRecord("s", 1)]));
      kv.put("outbox_schema", 2);
      const commit = { sessionId: "s", records: [answerRecord("s", 2)], sent: { firstSeq: 1, lastSeq: 1, frames: ['{"seq":1}'] } };
      // A commit that fails after appending: the move goes back with it, the old rows stay.
      const journal = new CommitJournal(state.storage);
      expect(() =>
        state.storage.transactionSync(() => {
          journal.append(commit);
          throw new Error("the state write failed");
        }),
      ).toThrow("the state write failed");
      journal.rolledBack();
      expect(tables(state.storage)).toContain("record_batches");
      expect(tables(state.storage)).not.toContain("journal");
      expect(kv.get("journal_schema")).toBeUndefined();
      expect(journal.size()).toBe(1);
      // The same commit again, on the same instance: moved and appended together.
      state.storage.transactionSync(() => journal.append(commit));
      expect(journal.size()).toBe(2);
      expect(tables(state.storage)).not.toContain("record_batches");
      expect(journal.pending(10)!.records.map((r) => (r as { turn: number }).turn)).toEqual([1, 2]);
      expect(journal.after("s", 0).frames).toEqual(['{"seq":1}']);
    });
  });

  it("moves an object with the outbox and replay log of before over once: D1 gets the waiting records, a resume replays the old messages", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken);
    const lastSeen = socket.lastSeq!;
    socket.send({ type: "user_answer", answer: ANSWER });
    await socket.collectUntil("interviewer_message");
    socket.close();
    // The same commits as they were stored before the journal: records in record_batches,
    // messages in sent_log, each with its schema key.
    const moved = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      const rows = rowsOf(state.storage);
      sql.exec(`CREATE TABLE record_batches (seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, count INTEGER NOT NULL, records TEXT NOT NULL)`);
      sql.exec(`CREATE TABLE sent_log (first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL, session_id TEXT NOT NULL, frames TEXT NOT NULL,
        PRIMARY KEY (session_id, first_seq))`);
      for (const r of rows) {
        if (r.records) sql.exec("INSERT INTO record_batches (session_id, count, records) VALUES (?, ?, ?)", r.session_id, r.count, r.records);
        if (r.frames) sql.exec("INSERT INTO sent_log (session_id, first_seq, last_seq, frames) VALUES (?, ?, ?, ?)", r.session_id, r.first_seq, r.last_seq, r.frames);
      }
      sql.exec("DROP TABLE journal");
      state.storage.kv.delete("journal_schema");
      state.storage.kv.put("outbox_schema", 2);
      state.storage.kv.put("sent_log_schema", 1);
      return { records: rows.reduce((n, r) => n + r.count, 0), frames: rows.filter((r) => r.frames).length };
    });
    expect(moved.records).toBeGreaterThan(0);
    await evictDurableObject(stub, { webSockets: "close" });

    // A resume in a fresh instance: the messages of the old replay log.
    const again = await connect(resumeQuery(started, lastSeen), {}, lastSeen);
    await again.next("session_resumed");
    expect((await again.collectUntil("interviewer_message")).map((f) => f.type)).toEqual(["tips", "question", "interviewer_message"]);
    // The old outbox's records: still waiting, then in D1.
    expect(await stub.backlog(started.session_id)).toHaveLength(moved.records);
    expect(await stub.flush()).toBe(0);
    expect((await exportSession(db, started.session_id))!.answers.map((a) => a.answer)).toEqual([ANSWER]);
    await runInDurableObject(stub, (_instance, state) => {
      expect(tables(state.storage)).not.toContain("record_batches");
      expect(tables(state.storage)).not.toContain("sent_log");
      expect(state.storage.kv.get("outbox_schema")).toBeUndefined();
      expect(state.storage.kv.get("sent_log_schema")).toBeUndefined();
      expect(state.storage.kv.get("journal_schema")).toBe(1);
      expect(rowsOf(state.storage).filter((r) => r.frames)).toHaveLength(moved.frames);
    });

    // The interview goes on, its next turn in the journal.
    again.send({ type: "user_answer", answer: "My part was the rollout: 3 stages behind a flag." });
    await again.collectUntil("question");
    expect(await stub.flush()).toBe(0);
    expect((await exportSession(db, started.session_id))!.answers).toHaveLength(2);
    again.close();
  });
});
