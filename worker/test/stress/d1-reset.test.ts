/**
 * Scenario 1, an interview object reset mid-replication. The object's flush to D1 is caught
 * at each moment a deploy or an eviction could end it (test/stress/d1-hooks.ts): before D1
 * got the batch, after D1 committed it but before the object removed the rows from its
 * outbox, part-way through a drain of several round trips, inside the alarm's own flush, and
 * an eviction asked for while a flush is in flight. Each time: what the object acknowledged
 * is still in its outbox or already in D1, the stored alarm drains the rest after the
 * restart, every acknowledged answer ends up in D1 exactly once, and the interview goes on
 * (by resuming when the reset dropped the socket).
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ReplicationHook, hookReplication } from "./d1-hooks.ts";
import { Candidate, answersInD1, backlogSizes, ledgerMismatches, sleep, waitFor } from "./stress-client.ts";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";

const alarmOf = (stub: InterviewStub) => runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
/** Records one object still holds for D1, over its sessions (the object's own `backlog`, whatever its outbox layout). */
const waitingIn = async (sessions: readonly Candidate[]) => (await backlogSizes(sessions)).reduce((sum, n) => sum + n, 0);

/**
 * Hooks the object's replication right after the session started, holding every batch at the
 * gate: whichever flush comes first (the test's, or the flush timer's alarm on a slow machine)
 * waits there, so no flush slips past the hook.
 */
async function heldHook(c: Candidate): Promise<ReplicationHook> {
  const hook = new ReplicationHook();
  hook.hold = true;
  return hookReplication(c.stub, hook);
}

/** The outcome of an RPC as text (a rejection's message), without leaving a rejection unhandled. */
const settled = (call: Promise<unknown>): Promise<string> =>
  call.then(
    () => "resolved",
    (error: unknown) => String(error),
  );

/** The reset dropped the socket (1006); the candidate comes back with the resume token and goes on. */
async function resumeAndGoOn(c: Candidate, answers = 2): Promise<void> {
  await c.socket.waitClosed();
  const resumed = await c.resume();
  expect(resumed).toMatchObject({ session_id: c.sessionId, turn: c.acknowledged.size });
  for (let i = 0; i < answers; i++) await c.answer();
  expect(await c.stub.flush()).toBe(0);
  expect(await ledgerMismatches([c])).toEqual([]);
}

describe("an interview object reset mid-replication", () => {
  it("reset right after D1 committed the batch: the object still holds the rows, its alarm sends them again, D1 keeps one copy", async () => {
    const c = await Candidate.start("after-commit");
    const hook = await heldHook(c);
    hook.steps = ["abort-after"];
    for (let i = 0; i < 3; i++) await c.answer();
    const flushing = settled(c.stub.flush());
    await waitFor(async () => hook.waiting === 1, "the flush to reach D1's door");
    hook.hold = false;
    expect(await flushing).toMatch(/reset after D1 committed/);
    expect(hook.committed).toBe(1);

    // D1 has the batch; the restarted object does not know it and still holds every row, with an alarm.
    expect(await ledgerMismatches([c])).toEqual([]);
    expect((await backlogSizes([c]))[0]).toBeGreaterThan(0);
    expect(await alarmOf(c.stub)).not.toBeNull();
    expect(await runDurableObjectAlarm(c.stub)).toBe(true);
    expect(await backlogSizes([c])).toEqual([0]);
    expect(await ledgerMismatches([c])).toEqual([]);
    await resumeAndGoOn(c);
  });

  it("reset while the batch is on its way, with answers arriving meanwhile: D1 never saw it, the stored alarm drains everything", async () => {
    const c = await Candidate.start("before-commit");
    const hook = await heldHook(c);
    hook.steps = ["abort-before"];
    for (let i = 0; i < 2; i++) await c.answer();
    const flushing = settled(c.stub.flush());
    await waitFor(async () => hook.waiting === 1, "the flush to reach D1's door");
    // The object keeps serving the interview while its flush waits on D1.
    for (let i = 0; i < 2; i++) await c.answer();
    hook.hold = false;
    expect(await flushing).toMatch(/reset before D1 got the batch/);
    expect(hook.committed).toBe(0);

    expect((await answersInD1([c.sessionId])).get(c.sessionId)).toEqual([]);
    expect(await alarmOf(c.stub)).not.toBeNull();
    // Nobody forces it: the alarm stored with the turns fires by itself and drains the outbox.
    await waitFor(async () => (await backlogSizes([c]))[0] === 0, "the stored alarm to drain the outbox");
    expect(await ledgerMismatches([c])).toEqual([]);
    await resumeAndGoOn(c);
  });

  it("reset part-way through a drain of several round trips (over 200 records each): D1 keeps the rounds it committed, the alarm sends the rest", async () => {
    // Sessions one after another on one socket, so one object's outbox: 10 answers each, under the model turn cap.
    let current = await Candidate.start("multi-round-0");
    const sessions = [current];
    // The first flush (the flush timer's, or the 64-row backlog's) waits while the backlog grows past 200 records more.
    const hook = await heldHook(current);
    hook.steps = ["pass", "pass", "abort-before"];
    while ((await waitingIn(sessions)) < 360) {
      if (current.acknowledged.size === 10) {
        current = await Candidate.restartOn(current, `multi-round-${sessions.length}`);
        sessions.push(current);
      }
      await current.answer();
      // Under the per-socket frame limit (10 a second).
      await sleep(110);
    }
    expect(hook.waiting).toBe(1);
    hook.hold = false;
    await current.socket.waitClosed();
    expect(hook.calls).toBe(3);
    expect(hook.committed).toBe(2);

    const acknowledged = sessions.reduce((sum, s) => sum + s.acknowledged.size, 0);
    const inD1 = [...(await answersInD1(sessions.map((s) => s.sessionId))).values()].reduce((sum, rows) => sum + rows.length, 0);
    // Part-way: some answers reached D1, the rest wait in the restarted object, with an alarm.
    expect(inD1).toBeGreaterThan(0);
    expect(inD1).toBeLessThan(acknowledged);
    expect(await waitingIn(sessions)).toBeGreaterThan(0);
    expect(await alarmOf(current.stub)).not.toBeNull();
    expect(await runDurableObjectAlarm(current.stub)).toBe(true);
    expect(await waitingIn(sessions)).toBe(0);
    expect(await ledgerMismatches(sessions)).toEqual([]);
    await resumeAndGoOn(current);
  });

  it("reset inside the alarm's own flush: the runtime retries the alarm, which drains the outbox in a fresh instance", async () => {
    const c = await Candidate.start("in-alarm");
    const hook = await hookReplication(c.stub);
    hook.steps = ["abort-before"];
    for (let i = 0; i < 3; i++) await c.answer();
    // The flush timer's alarm (REPLICATION_FLUSH_MS after the turns) fires on its own and is reset mid-flush.
    await waitFor(async () => hook.calls >= 1, "the alarm's flush to start");
    await waitFor(async () => (await backlogSizes([c]))[0] === 0, "the retried alarm to drain the outbox");
    expect(hook.committed).toBe(0);
    expect(await ledgerMismatches([c])).toEqual([]);
    await resumeAndGoOn(c);
  });

  it("an eviction asked for while a flush is in flight lets it finish: nothing lost, the socket hibernates and the interview goes on", async () => {
    const c = await Candidate.start("evicted");
    const hook = await heldHook(c);
    for (let i = 0; i < 3; i++) await c.answer();
    const flushing = c.stub.flush();
    await waitFor(async () => hook.waiting === 1, "the flush to reach D1's door");
    const evicting = evictDurableObject(c.stub, { webSockets: "hibernate" });
    await sleep(200);
    hook.hold = false;
    expect(await flushing).toBe(0);
    await evicting;
    expect(hook.committed).toBe(1);
    expect(await ledgerMismatches([c])).toEqual([]);
    // Same socket, fresh instance.
    expect(c.socket.closed).toBeNull();
    for (let i = 0; i < 2; i++) await c.answer();
    expect(await c.stub.flush()).toBe(0);
    expect(await ledgerMismatches([c])).toEqual([]);
    c.socket.close();
  });
});
