/**
 * Scenario 5, many interviews opening at once: STRESS_SOCKETS sockets (default 1,000) are
 * opened concurrently, each starts a consented session (one Durable Object each) and answers
 * two or three times, all interleaved. No session may fail (refused upgrade, error frame,
 * closed socket, missing reply), and after the objects flushed their outboxes every
 * acknowledged answer is in D1 exactly once.
 *
 * Session starts are not rate limited here: tests send no CF-Connecting-IP, so there is no
 * address to count against (as the brief of the limits says); the per-socket frame limit and
 * the model turn cap are on but far away (three answers per socket).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Candidate, backlogSizes, ledgerMismatches, pool } from "./stress-client.ts";

const SOCKETS = Number((env as unknown as { STRESS_SOCKETS?: string }).STRESS_SOCKETS ?? 1000);

describe(`${SOCKETS} interviews opening at once`, () => {
  it("starts every session, acknowledges every answer, and D1 ends up with each acknowledged answer once", async () => {
    const t0 = Date.now();
    const labels = Array.from({ length: SOCKETS }, (_, i) => `crowd-${i}`);
    // Every socket opened and started concurrently: no pacing.
    const started = await Promise.allSettled(labels.map((label) => Candidate.start(label)));
    const failedStarts = started.flatMap((s, i) => (s.status === "rejected" ? [`${labels[i]}: ${String(s.reason)}`] : []));
    const candidates = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const tOpen = Date.now();

    // Two or three answers each, all candidates at once.
    const answered = await Promise.allSettled(
      candidates.map(async (c, i) => {
        for (let n = 0; n < 2 + (i % 2); n++) await c.answer();
      }),
    );
    const failedTurns = answered.flatMap((s, i) => (s.status === "rejected" ? [`${candidates[i]!.label}: ${String(s.reason)}`] : []));
    const tAnswered = Date.now();

    // Every object copies its outbox to D1 now (the alarm would, within 5 s).
    const flushed = await pool(candidates, 50, (c) => c.stub.flush());
    const tFlushed = Date.now();
    const failedFlushes = flushed.flatMap((s, i) => (s.status === "rejected" ? [`${candidates[i]!.label}: ${String(s.reason)}`] : s.value !== 0 ? [`${candidates[i]!.label}: ${s.value} rows left`] : []));

    const acknowledged = candidates.reduce((sum, c) => sum + c.acknowledged.size, 0);
    console.log(
      `crowd: ${SOCKETS} sockets; open+start ${tOpen - t0} ms, ${acknowledged} answers ${tAnswered - tOpen} ms, flush ${tFlushed - tAnswered} ms`,
    );
    expect(failedStarts).toEqual([]);
    expect(failedTurns).toEqual([]);
    expect(failedFlushes).toEqual([]);
    expect(candidates).toHaveLength(SOCKETS);
    expect(acknowledged).toBe(Math.floor(SOCKETS / 2) * 2 + Math.ceil(SOCKETS / 2) * 2 + Math.floor(SOCKETS / 2));
    expect(await ledgerMismatches(candidates)).toEqual([]);
    expect((await backlogSizes(candidates)).filter((n) => n !== 0)).toEqual([]);

    // The interviews go on: every one still answers.
    const again = await Promise.allSettled(candidates.map((c) => c.answer()));
    expect(again.flatMap((s, i) => (s.status === "rejected" ? [`${candidates[i]!.label}: ${String(s.reason)}`] : []))).toEqual([]);
    await pool(candidates, 50, (c) => c.stub.flush());
    expect(await ledgerMismatches(candidates)).toEqual([]);
    for (const c of candidates) c.socket.close();
  });
});
