/**
 * Scenario 2, D1 failing for a while under several interviews. The research tables are
 * renamed away (as in test/workerd/replication.test.ts), so every flush fails, while eight
 * interviews keep answering: some started before the outage, some during it, one ends during
 * it (its end-of-session flush fails too). Every answer is still acknowledged, every object
 * keeps its rows and backs off; once D1 is back, the objects' own alarms (nobody forces
 * them) drain every outbox, and D1 holds every acknowledged answer exactly once.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Candidate, answersInD1, backlogSizes, ledgerMismatches, sleep, waitFor } from "./stress-client.ts";

const TABLES = ["answerrecord", "checkinrecord", "telemetryrecord"];

async function setTablesAway(away: boolean): Promise<void> {
  const [from, to] = away ? ["", "_away"] : ["_away", ""];
  await env.DB.batch(TABLES.map((t) => env.DB.prepare(`ALTER TABLE ${t}${from} RENAME TO ${t}${to}`)));
}

const retryOf = (c: Candidate) =>
  runInDurableObject(c.stub, (_instance, state) => state.storage.kv.get<{ attempt: number; retryAt: number }>("replication_retry") ?? null);

describe("D1 failing for a while under several interviews", () => {
  it("keeps every acknowledged answer through the outage and drains every outbox by alarm once D1 is back", async () => {
    const before = await Promise.all([0, 1, 2, 3].map((i) => Candidate.start(`before-${i}`)));
    await Promise.all(before.map((c) => c.answer()));
    // These reached D1 before the outage.
    expect(await Promise.all(before.map((c) => c.stub.flush()))).toEqual([0, 0, 0, 0]);

    await setTablesAway(true);
    let restored = false;
    try {
      const during = await Promise.all([0, 1, 2].map((i) => Candidate.start(`during-${i}`)));
      const ending = await Candidate.start("ends-during", { maxQuestions: 3 });
      const all = [...before, ...during, ending];
      // Three rounds of answers over several seconds, so the flush timer's alarms fire and fail on their own.
      for (let round = 0; round < 3; round++) {
        await Promise.all(all.map((c) => c.answer()));
        await Promise.all(all.filter((c) => !c.ended).map((c) => c.alive()));
        await sleep(2_000);
      }
      expect(ending.ended).toBe(true);
      // Every object has tried (by its own alarm or now, forced) and failed, and keeps its rows.
      for (const c of all) {
        if ((await retryOf(c)) === null) await runDurableObjectAlarm(c.stub);
        expect((await retryOf(c))?.attempt, c.label).toBeGreaterThanOrEqual(1);
      }
      expect((await backlogSizes(all)).every((n) => n > 0)).toBe(true);
      expect(await Promise.all(all.map((c) => c.stub.flush()))).not.toContain(0);

      // The interviews go on during the outage.
      await Promise.all([...before, ...during].map((c) => c.answer()));

      await setTablesAway(false);
      restored = true;
      // Nobody forces an alarm: each object's retry fires by itself and drains its outbox.
      await waitFor(async () => (await backlogSizes(all)).every((n) => n === 0), "every outbox to drain after D1 recovered");
      expect(await ledgerMismatches(all)).toEqual([]);
      for (const c of all) expect(await retryOf(c), c.label).toBeNull();
      const inD1 = await answersInD1(all.map((c) => c.sessionId));
      expect([...inD1.values()].reduce((sum, rows) => sum + rows.length, 0)).toBe(all.reduce((sum, c) => sum + c.acknowledged.size, 0));

      // And after it: one more answer each, flushed straight away.
      const open = [...before, ...during];
      await Promise.all(open.map((c) => c.answer()));
      expect(await Promise.all(open.map((c) => c.stub.flush()))).toEqual(open.map(() => 0));
      expect(await ledgerMismatches(all)).toEqual([]);
      for (const c of all) c.socket.close();
    } finally {
      if (!restored) await setTablesAway(false);
    }
  });
});
