/**
 * Outbox → D1 replication: records reach D1 right after each write; while D1 fails (tables
 * renamed away under the object) nothing is lost, the alarm is armed for a retry, and after
 * recovery the alarm's retry makes the export complete, exactly once per record. The shared
 * alarm still enforces the time limit. Not covered: eviction between failure and retry
 * (the retry state is in storage, so it is the same path).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import type { PersistRecord } from "@interview/shared";
import type { InterviewSession } from "../../src/durable/interview-session.ts";
import { exportSession } from "../../src/storage/repository.ts";
import { startInterview, type TestSocket, interviewOf } from "./socket-client.ts";

const db = drizzle(env.DB);


/** The object's own copy (RPC types cannot express `payload: unknown`, hence the cast). */
async function heldRecords(stub: DurableObjectStub<InterviewSession>, sessionId: string): Promise<PersistRecord[]> {
  return (await stub.records(sessionId)) as unknown as PersistRecord[];
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
  it("copies every record to D1 right after it is written", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "control" });
    await playTwoTurns(socket);
    const stub = interviewOf(started.resumeToken as string);
    const held = await heldRecords(stub, started.session_id);
    const exported = await waitFor(async () => {
      const e = await exportSession(db, started.session_id);
      return e && e.telemetry.length + e.answers.length + e.checkins.length + 1 === held.length ? e : null;
    }, "the export to catch up");
    expect(exported.answers.map((a) => a.turn)).toEqual([1, 2]);
    expect(exported.checkins).toHaveLength(1);
    expect(exported.session.group_name).toBe("control");
    await runInDurableObject(stub, async (_instance, state) => {
      const unreplicated = state.storage.sql.exec("SELECT count(*) AS n FROM outbox WHERE replicated = 0").one();
      expect(unreplicated.n).toBe(0);
      expect(await state.storage.getAlarm()).toBeNull();
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
      // The background replication fails; the object keeps every row and arms a retry.
      await waitFor(
        () => runInDurableObject(stub, (_i, state) => state.storage.kv.get("replication_retry")),
        "a scheduled retry",
      );
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the background attempts settle
      const [retry, alarmAt] = await runInDurableObject(stub, async (_i, state) => [
        state.storage.kv.get<{ attempt: number; retryAt: number }>("replication_retry")!,
        await state.storage.getAlarm(),
      ] as const);
      expect(retry.attempt).toBeGreaterThanOrEqual(1);
      // The alarm serves the earlier of the retry and the 10-minute deadline.
      expect(alarmAt).toBe(retry.retryAt);
      expect(alarmAt!).toBeLessThan(Date.now() + 600_000);

      // Still down: the alarm's retry fails again and backs off further; the session goes on.
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      const second = await runInDurableObject(stub, (_i, state) => state.storage.kv.get<{ attempt: number; retryAt: number }>("replication_retry"));
      // Every failed attempt (background or alarm) backs off further.
      expect(second!.attempt).toBeGreaterThan(retry.attempt);
      expect(second!.retryAt).toBeGreaterThan(retry.retryAt);
      socket.send({ type: "ping" });
      expect(await socket.next("pong")).toEqual({ type: "pong" });

      await setTablesAway(false);
      restored = true;
      expect(await runDurableObjectAlarm(stub)).toBe(true);

      const held = await heldRecords(stub, started.session_id);
      const exported = (await exportSession(db, started.session_id))!;
      expect(exported.answers).toHaveLength(held.filter((r) => r.kind === "answer").length);
      expect(exported.answers.map((a) => [a.turn, a.speaking_rate])).toEqual([
        [1, 140],
        [2, 120],
      ]);
      expect(exported.checkins).toHaveLength(1);
      expect(exported.telemetry.map((t) => t.event_type)).toEqual(
        held.filter((r) => r.kind === "telemetry").map((r) => (r as { eventType: string }).eventType),
      );
      await runInDurableObject(stub, async (_instance, state) => {
        expect(state.storage.sql.exec("SELECT count(*) AS n FROM outbox WHERE replicated = 0").one().n).toBe(0);
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
