/**
 * The isolate side of the fleet's operator counters (ops/ledger.ts): outcomes are added up
 * here and sent to the dependency's ServiceHealth object in one batch at most every
 * `FLUSH_MS`, so counting costs one small RPC per dependency per few seconds per isolate, not
 * one per call. A batch waits on a timer (handed to the request's `waitUntil` where there is
 * one; in a Durable Object the timer keeps it awake that long). Counts an isolate held when it
 * was evicted are lost: at most `FLUSH_MS` of them.
 */
import type { Env } from "../env.ts";
import type { OutcomeTally, TallyBatch } from "./ledger.ts";

export const FLUSH_MS = 5_000;

/** The ledger key of D1 replication (the others are the breakers' keys, `nvidia <url>` / `speech <url>`). */
export const REPLICATION_KEY = "d1 replication";

interface Pending {
  outcomes: Record<string, OutcomeTally>;
  backlog: NonNullable<TallyBatch["backlog"]>;
  timer: boolean;
}

const pending = new Map<string, Pending>();

type WaitUntil = (promise: Promise<unknown>) => void;

/** Counts one call (or replication run) of the dependency `key`. */
export function tallyCall(env: Pick<Env, "SERVICE_HEALTH">, key: string, outcome: string, ms: number, waitUntil?: WaitUntil): void {
  const entry = pendingFor(key);
  const t = (entry.outcomes[outcome] ??= { count: 0, totalMs: 0, maxMs: 0 });
  t.count += 1;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
  schedule(env, key, entry, waitUntil);
}

/** An interview object's backlog after a replication run (0: it holds nothing for D1). */
export function tallyBacklog(env: Pick<Env, "SERVICE_HEALTH">, objectId: string, records: number, lagMs: number, waitUntil?: WaitUntil): void {
  const entry = pendingFor(REPLICATION_KEY);
  entry.backlog[objectId] = { records, lagMs, at: Date.now() };
  schedule(env, REPLICATION_KEY, entry, waitUntil);
}

function pendingFor(key: string): Pending {
  let entry = pending.get(key);
  if (!entry) {
    entry = { outcomes: {}, backlog: {}, timer: false };
    pending.set(key, entry);
  }
  return entry;
}

function schedule(env: Pick<Env, "SERVICE_HEALTH">, key: string, entry: Pending, waitUntil: WaitUntil | undefined): void {
  const namespace = env.SERVICE_HEALTH;
  if (!namespace || entry.timer) return;
  entry.timer = true;
  const sent = new Promise((resolve) => setTimeout(resolve, FLUSH_MS)).then(() => flush(namespace, key));
  waitUntil?.(sent);
}

async function flush(namespace: NonNullable<Env["SERVICE_HEALTH"]>, key: string): Promise<void> {
  const entry = pending.get(key);
  if (!entry) return;
  pending.delete(key);
  const batch: TallyBatch = { outcomes: entry.outcomes, ...(Object.keys(entry.backlog).length > 0 ? { backlog: entry.backlog } : {}) };
  try {
    await namespace.get(namespace.idFromName(key)).tally(batch);
  } catch (error) {
    // Counters are worth less than the object's health: drop the batch, say so once per failure.
    console.warn(JSON.stringify({ event: "ops_tally_dropped", key, error: error instanceof Error ? error.message : String(error) }));
  }
}

/** Tests only: sends every pending batch now (instead of after FLUSH_MS). */
export async function flushTalliesForTests(env: Pick<Env, "SERVICE_HEALTH">): Promise<void> {
  const namespace = env.SERVICE_HEALTH;
  if (!namespace) return;
  await Promise.all([...pending.keys()].map((key) => flush(namespace, key)));
}
