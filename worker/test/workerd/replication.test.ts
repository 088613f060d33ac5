/**
 * Outbox → D1 replication: records wait in the object's outbox (each turn one storage commit)
 * and reach D1 by the alarm's coalesced flush, several turns in one batch, or at once when
 * the session ends; once D1 has them they leave the object. While D1 fails (tables renamed
 * away under the object) nothing is lost, the alarm backs off, and after recovery the export
 * is complete, exactly once per record. Rows waiting always have an alarm, also after the
 * object is evicted mid-replication. The shared alarm still enforces the time limit.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import type { PersistRecord } from "@interview/shared";
import type { InterviewSession } from "../../src/durable/interview-session.ts";
import { REPLICATION_FLUSH_MS } from "../../src/durable/interview-session.ts";
import { CommitJournal } from "../../src/durable/commit-journal.ts";
import { exportSession } from "../../src/storage/reads.ts";
import { startInterview, type TestSocket, interviewOf } from "./socket-client.ts";

const db = drizzle(env.DB);

/** Rows the object still holds for D1 (RPC types cannot express `payload: unknown`, hence the cast). */
async function backlog(stub: DurableObjectStub<InterviewSession>, sessionId: string): Promise<PersistRecord[]> {
  return (await stub.backlog(sessionId)) as unknown as PersistRecord[];
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function playTwoTurns(socket: TestSocket): Promise<void> {
  socket.send({ type: "user_answer", answer: "I led a migration for 2 million users.", metrics: { speakingRate: 140, fillers: 2 } });
  await socket.collectUntil("interviewer_message");
  socket.send({ type: "telemetry", event: "latency", latencyMs: 640, data: { turn: 1 } });
  socket.send({ type: "checkin", confidence: 4, stress: 2 });
  await socket.next("checkin_logged");
  socket.send({ type: "user_answer", answer: "My part was the rollout plan.", metrics: { speakingRate: 120, pauseRatio: 0.3 } });
  await socket.collectUntil("question");
}

async function setTablesAway(away: boolean): Promise<void> {
  const [from, to] = away ? ["", "_away"] : ["_away", ""];
  await env.DB.batch([
    env.DB.prepare(`ALTER TABLE answerrecord${from} RENAME TO answerrecord${to}`),
    env.DB.prepare(`ALTER TABLE telemetryrecord${from} RENAME TO telemetryrecord${to}`),
  ]);
}

describe("replication to D1", () => {
  it("holds a turn's records for the flush timer (alarm armed), then copies them in one flush and forgets them", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "control" });
    const stub = interviewOf(started.resumeToken as string);
    const before = Date.now();
    await playTwoTurns(socket);
    const held = await backlog(stub, started.session_id);
    // Session, session_meta, two answers with tips and latency, telemetry, check-in: all still here.
    expect(held.filter((r) => r.kind === "answer").map((r) => (r as { turn: number }).turn)).toEqual([1, 2]);
    expect(await exportSession(db, started.session_id)).toBeNull();
    const alarmAt = await runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    expect(alarmAt!).toBeLessThanOrEqual(Date.now() + REPLICATION_FLUSH_MS);
    expect(alarmAt!).toBeGreaterThanOrEqual(before);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const exported = (await exportSession(db, started.session_id))!;
    expect(exported.answers.map((a) => a.turn)).toEqual([1, 2]);
    expect(exported.checkins).toHaveLength(1);
    expect(exported.session.group_name).toBe("control");
    expect(1 + exported.answers.length + exported.checkins.length + exported.telemetry.length + exported.feedback.length).toBe(held.length);
    expect(exported.feedback.map((f) => f.turn)).toEqual([1, 2]);
    expect(exported.telemetry.map((t) => t.event_type)).toEqual(
      held.filter((r) => r.kind === "telemetry").map((r) => (r as { eventType: string }).eventType),
    );
    expect(await backlog(stub, started.session_id)).toEqual([]);
    await runInDurableObject(stub, async (_instance, state) => {
      // Nothing waits in the journal (it keeps the turns' messages for a resume).
      expect(new CommitJournal(state.storage).size()).toBe(0);
      // Nothing waits and there is no time limit: no alarm left.
      expect(await state.storage.getAlarm()).toBeNull();
    });
    socket.close();
  });

  it("flushes at once when the session ends", async () => {
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 1 });
    socket.send({ type: "user_answer", answer: "I cut the build from 40 to 12 minutes." });
    await socket.collectUntil("session_ended");
    const exported = await waitFor(async () => {
      const e = await exportSession(db, started.session_id);
      return e && e.telemetry.some((t) => t.event_type === "session_end") ? e : null;
    }, "the end-of-session flush");
    expect(exported.answers).toHaveLength(1);
    // Everything is in D1 and the session has ended: no alarm is left to wake the object for nothing.
    const stub = interviewOf(started.resumeToken as string);
    await waitFor(async () => ((await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())) === null ? true : null), "the alarm dropped", 2_000);
    socket.close();
  });

  it("rows waiting in an evicted object are flushed by its alarm (nothing stranded)", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken as string);
    socket.send({ type: "user_answer", answer: "We shipped it in 3 weeks." });
    await socket.collectUntil("interviewer_message");
    expect((await backlog(stub, started.session_id)).length).toBeGreaterThan(0);
    await evictDurableObject(stub, { webSockets: "close" });
    // A fresh instance: the alarm stored with the commit is still there and drains the outbox.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await backlog(stub, started.session_id)).toEqual([]);
    expect((await exportSession(db, started.session_id))!.answers).toHaveLength(1);
  });

  it("an object from the first layout (one outbox row per record) moves its waiting rows over once and flushes them", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const stub = interviewOf(started.resumeToken as string);
    expect(await stub.flush()).toBe(0);
    const legacy = { kind: "answer", key: `${started.session_id}:legacy`, sessionId: started.session_id, turn: 1, answer: "Kept in the old outbox.",
      style: "neutral", group: started.group, speakingRate: null, pauseRatio: null, gaze: null, fillers: null, createdAt: Date.now() };
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("DROP TABLE journal");
      state.storage.kv.delete("journal_schema");
      state.storage.sql.exec(`CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL, record TEXT NOT NULL, replicated INTEGER NOT NULL DEFAULT 0)`);
      state.storage.sql.exec("INSERT INTO outbox (key, session_id, record, replicated) VALUES ('done', ?, '{}', 1)", started.session_id);
      state.storage.sql.exec("INSERT INTO outbox (key, session_id, record) VALUES (?, ?, ?)", legacy.key, started.session_id, JSON.stringify(legacy));
    });
    await evictDurableObject(stub, { webSockets: "close" });
    expect(await stub.flush()).toBe(0);
    expect((await exportSession(db, started.session_id))!.answers.map((a) => a.answer)).toEqual(["Kept in the old outbox."]);
    await runInDurableObject(stub, (_instance, state) => {
      expect(state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").toArray()).toEqual([]);
    });
    socket.close();
  });

  it("loses nothing while D1 fails, retries by alarm with backoff, and completes the export once it recovers", async () => {
    await setTablesAway(true);
    let restored = false;
    try {
      const { socket, started } = await startInterview({ consent: true, group: "treatment", durationSeconds: 600 });
      await playTwoTurns(socket);
      const stub = interviewOf(started.resumeToken as string);
      // The flush fails; the object keeps every row and arms a retry.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const [retry, alarmAt] = await runInDurableObject(stub, async (_i, state) => [
        state.storage.kv.get<{ attempt: number; retryAt: number }>("replication_retry")!,
        await state.storage.getAlarm(),
      ] as const);
      expect(retry.attempt).toBe(1);
      // The alarm serves the earlier of the retry and the 10-minute deadline.
      expect(alarmAt).toBe(retry.retryAt);
      expect(alarmAt!).toBeLessThan(Date.now() + 600_000);

      // Still down: the alarm's retry fails again and backs off further; the session goes on.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const second = await runInDurableObject(stub, (_i, state) => state.storage.kv.get<{ attempt: number; retryAt: number }>("replication_retry"));
      expect(second!.attempt).toBe(2);
      expect(second!.retryAt).toBeGreaterThan(retry.retryAt);
      socket.send({ type: "ping" });
      expect(await socket.next("pong")).toEqual({ type: "pong" });

      const held = await backlog(stub, started.session_id);
      await setTablesAway(false);
      restored = true;
      expect(await runDurableObjectAlarm(stub)).toBe(true);

      const exported = (await exportSession(db, started.session_id))!;
      expect(exported.answers.map((a) => [a.turn, a.speaking_rate])).toEqual([
        [1, 140],
        [2, 120],
      ]);
      expect(exported.checkins).toHaveLength(1);
      expect(exported.telemetry.map((t) => t.event_type)).toEqual(
        held.filter((r) => r.kind === "telemetry").map((r) => (r as { eventType: string }).eventType),
      );
      await runInDurableObject(stub, async (_instance, state) => {
        expect(new CommitJournal(state.storage).size()).toBe(0);
        expect(state.storage.kv.get("replication_retry")).toBeUndefined();
        // Back to the time limit alone.
        const deadline = await state.storage.getAlarm();
        expect(deadline).toBeGreaterThan(Date.now() + 500_000);
      });
      socket.close();
    } finally {
      if (!restored) await setTablesAway(false);
    }
  });

  it("an alarm before the deadline only replicates; at the deadline it ends the session", async () => {
    const { socket, started } = await startInterview({ consent: true, durationSeconds: 30 });
    const stub = interviewOf(started.resumeToken as string);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await socket.expectSilence();
    await runInDurableObject(stub, (instance) => {
      const state = (instance as unknown as { state: { session: { deadline: number } } }).state;
      state.session.deadline = Date.now() - 1;
    });
    // The first alarm re-armed itself for the deadline; running it now ends the session.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const ended = await socket.next("session_ended");
    expect(ended.reason).toBe("time_limit");
  });
});
