/**
 * The fleet's operator counters for one dependency, kept by its `ServiceHealth` object
 * (health/service-health.ts: one per model URL, per speech worker URL, and one for D1
 * replication): calls by outcome with count, total and worst latency, and for replication the
 * records each interview object still holds for D1 (so the fleet's backlog is their sum).
 *
 * Isolates add to it in batches (ops/fleet-tally.ts), not per call. Counts start when the
 * object first hears of the dependency (`since`); read twice and subtract for a rate, or use
 * the Analytics Engine points for history. Plain data, so it is stored and sent as is.
 */

export interface OutcomeTally {
  count: number;
  totalMs: number;
  maxMs: number;
}

/** What an isolate sends: its tallies since its last batch, and (replication) each object's backlog now. */
export interface TallyBatch {
  outcomes: Record<string, OutcomeTally>;
  /** Interview object id → records waiting for D1 after its last run (0 removes it). */
  backlog?: Record<string, { records: number; lagMs: number; at: number }>;
}

export interface Ledger {
  since: number;
  outcomes: Record<string, OutcomeTally>;
  backlog: Record<string, { records: number; lagMs: number; at: number }>;
}

/** Objects with records waiting that one ledger remembers; beyond it the oldest reports go. */
export const MAX_BACKLOG_ENTRIES = 5_000;

export function emptyLedger(now: number): Ledger {
  return { since: now, outcomes: {}, backlog: {} };
}

export function addBatch(ledger: Ledger, batch: TallyBatch): Ledger {
  const outcomes = { ...ledger.outcomes };
  for (const [outcome, add] of Object.entries(batch.outcomes)) {
    const was = outcomes[outcome] ?? { count: 0, totalMs: 0, maxMs: 0 };
    outcomes[outcome] = { count: was.count + add.count, totalMs: was.totalMs + add.totalMs, maxMs: Math.max(was.maxMs, add.maxMs) };
  }
  let backlog = ledger.backlog;
  if (batch.backlog) {
    backlog = { ...backlog };
    for (const [object, entry] of Object.entries(batch.backlog)) {
      if (entry.records > 0) backlog[object] = entry;
      else delete backlog[object];
    }
    const keys = Object.keys(backlog);
    if (keys.length > MAX_BACKLOG_ENTRIES) {
      const oldest = keys.sort((a, b) => backlog[a]!.at - backlog[b]!.at).slice(0, keys.length - MAX_BACKLOG_ENTRIES);
      for (const key of oldest) delete backlog[key];
    }
  }
  return { since: ledger.since, outcomes, backlog };
}

export interface LedgerSummary {
  since: number;
  /** Per outcome: count, mean and worst latency (replication: lag) in ms. */
  outcomes: Record<string, { count: number; meanMs: number; maxMs: number }>;
  /** Replication only: records waiting in interview objects, how many objects, the worst lag reported. */
  backlog?: { records: number; objects: number; maxLagMs: number };
}

/** `withBacklog`: the replication ledger, whose summary includes the fleet's backlog (zero too). */
export function summarize(ledger: Ledger, withBacklog = false): LedgerSummary {
  const outcomes: LedgerSummary["outcomes"] = {};
  for (const [outcome, t] of Object.entries(ledger.outcomes)) {
    outcomes[outcome] = { count: t.count, meanMs: t.count ? Math.round(t.totalMs / t.count) : 0, maxMs: Math.round(t.maxMs) };
  }
  const entries = Object.values(ledger.backlog);
  const summary: LedgerSummary = { since: ledger.since, outcomes };
  if (withBacklog) {
    summary.backlog = {
      records: entries.reduce((sum, e) => sum + e.records, 0),
      objects: entries.length,
      maxLagMs: entries.reduce((max, e) => Math.max(max, e.lagMs), 0),
    };
  }
  return summary;
}
