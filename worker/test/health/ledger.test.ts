/** The fleet's operator counters (ops/ledger.ts): batches add up; the backlog is per object, bounded. */
import { describe, expect, it } from "vitest";
import { MAX_BACKLOG_ENTRIES, addBatch, emptyLedger, summarize } from "../../src/ops/ledger.ts";

describe("ledger", () => {
  it("adds batches: counts and totals add, the worst latency is kept", () => {
    let ledger = emptyLedger(1_000);
    ledger = addBatch(ledger, { outcomes: { ok: { count: 2, totalMs: 300, maxMs: 200 }, timeout: { count: 1, totalMs: 12_000, maxMs: 12_000 } } });
    ledger = addBatch(ledger, { outcomes: { ok: { count: 1, totalMs: 600, maxMs: 600 } } });
    expect(summarize(ledger)).toEqual({
      since: 1_000,
      outcomes: { ok: { count: 3, meanMs: 300, maxMs: 600 }, timeout: { count: 1, meanMs: 12_000, maxMs: 12_000 } },
    });
  });

  it("keeps each object's latest backlog, forgets objects that hold nothing, sums the rest", () => {
    let ledger = emptyLedger(0);
    ledger = addBatch(ledger, { outcomes: {}, backlog: { a: { records: 5, lagMs: 9_000, at: 1 }, b: { records: 2, lagMs: 100, at: 2 } } });
    ledger = addBatch(ledger, { outcomes: {}, backlog: { b: { records: 0, lagMs: 50, at: 3 } } });
    expect(summarize(ledger, true).backlog).toEqual({ records: 5, objects: 1, maxLagMs: 9_000 });
  });

  it("remembers at most MAX_BACKLOG_ENTRIES objects, dropping the oldest reports", () => {
    const backlog: Record<string, { records: number; lagMs: number; at: number }> = {};
    for (let i = 0; i < MAX_BACKLOG_ENTRIES + 10; i++) backlog[`o${i}`] = { records: 1, lagMs: 0, at: i };
    const ledger = addBatch(emptyLedger(0), { outcomes: {}, backlog });
    expect(Object.keys(ledger.backlog)).toHaveLength(MAX_BACKLOG_ENTRIES);
    expect(ledger.backlog.o0).toBeUndefined();
    expect(ledger.backlog[`o${MAX_BACKLOG_ENTRIES + 9}`]).toBeDefined();
  });
});
