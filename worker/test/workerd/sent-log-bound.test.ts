/**
 * The commit journal (durable/commit-journal.ts) keeps the last `REPLAY_LIMIT` (2,000) messages
 * of the current session in the interview object's SQLite, and a new session drops the previous
 * one's: its storage is bounded however long the session runs (README, "Storage bounds per
 * session"). Messages whose commit also wrote records stay until D1 has those records.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { CommitJournal, REPLAY_LIMIT } from "../../src/durable/commit-journal.ts";

const frame = (seq: number) => JSON.stringify({ type: "pong", seq });

/** Appends messages 1..last of `sessionId`, ten to a commit, as the adapter does per turn. */
function appendUpTo(log: CommitJournal, sessionId: string, last: number): void {
  for (let first = 1; first <= last; first += 10) {
    const lastSeq = Math.min(last, first + 9);
    log.append({ sessionId, records: [], sent: { firstSeq: first, lastSeq, frames: Array.from({ length: lastSeq - first + 1 }, (_, i) => frame(first + i)) } });
  }
}

describe("the replay bound of the commit journal", () => {
  it(`keeps the last ${REPLAY_LIMIT} messages of a long session, and says when older ones are gone`, async () => {
    const stub = env.INTERVIEW.get(env.INTERVIEW.newUniqueId());
    await runInDurableObject(stub, (_instance, state) => {
      const log = new CommitJournal(state.storage);
      appendUpTo(log, "long", 5_000);
      const all = log.after("long", 0);
      expect(all.complete).toBe(false);
      // Pruned once per hundred messages: between the limit and a hundred more are kept.
      expect(all.frames.length).toBeGreaterThanOrEqual(REPLAY_LIMIT);
      expect(all.frames.length).toBeLessThan(REPLAY_LIMIT + 100);
      expect(all.frames.at(-1)).toBe(frame(5_000));
      const rows = state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM journal").one().n;
      expect(rows).toBeLessThanOrEqual((REPLAY_LIMIT + 100) / 10);
      // A client that missed fewer than the limit gets everything it missed.
      const recent = log.after("long", 5_000 - REPLAY_LIMIT);
      expect(recent.complete).toBe(true);
      expect(recent.frames).toHaveLength(REPLAY_LIMIT);
    });
  });

  it("drops the previous session's messages when a new session starts on the object", async () => {
    const stub = env.INTERVIEW.get(env.INTERVIEW.newUniqueId());
    await runInDurableObject(stub, (_instance, state) => {
      const log = new CommitJournal(state.storage);
      appendUpTo(log, "first", 300);
      appendUpTo(log, "second", 5);
      expect(log.after("first", 0).frames).toEqual([]);
      expect(log.after("second", 0).frames).toHaveLength(5);
    });
  });
});
