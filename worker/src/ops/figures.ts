/**
 * Operator figures (not research telemetry, which exists only for consented sessions): every
 * model call, speech call and outbox replication run, whatever the session's consent, with
 * no text and no ids of people in them.
 *
 * Each is counted three ways:
 * - one Workers Analytics Engine data point (the `OPS_FIGURES` dataset in wrangler.toml):
 *   history, fleet-wide, queried with the SQL API (README "Observability" has the queries).
 *   `writeDataPoint` neither waits nor fails the caller; locally (wrangler dev, the tests) the
 *   binding accepts points and keeps none.
 * - the fleet's running totals, in the dependency's ServiceHealth object (ops/ledger.ts, sent
 *   in batches by ops/fleet-tally.ts), which `GET /ops` reads: works locally too, no account.
 * - this isolate's counters, also in `GET /ops` (handy in `wrangler dev`, where one isolate
 *   runs everything).
 *
 * Data point layout (blob1 is the kind; the SQL in the README relies on it):
 *   model_call   blobs [kind, outcome, purpose]   doubles [latencyMs, attempts]
 *   speech_call  blobs [kind, outcome, path]      doubles [latencyMs, status (0: none)]
 *   replication  blobs [kind, outcome]            doubles [rows, backlogAfter, lagMs, attempt]
 */
import type { LlmCallReport } from "../engine/types.ts";
import type { Env } from "../env.ts";
import { healthKey } from "../health/dependencies.ts";
import { DEFAULT_NVIDIA_LLM_URL } from "../model/nvidia/config.ts";
import { REPLICATION_KEY, tallyBacklog, tallyCall } from "./fleet-tally.ts";

type FiguresEnv = Pick<Env, "OPS_FIGURES" | "SERVICE_HEALTH" | "NVIDIA_LLM_URL">;
type WaitUntil = (promise: Promise<unknown>) => void;

export type FigureKind = "model_call" | "speech_call" | "replication";

export interface SpeechCallFigure {
  /** ok, or why not: a 4xx that is the caller's (client_error), network, timeout, http_5xx, circuit_open, cancelled, unreadable. */
  outcome: string;
  path: string;
  latencyMs: number;
  status: number | null;
}

export interface ReplicationFigure {
  outcome: "ok" | "failed";
  /** Records this run handled: copied (ok) or still waiting (failed). */
  rows: number;
  /** Records still waiting in the object after the run. */
  backlogAfter: number;
  /** Age of the oldest record the run handled, at the end of the run (ms): how far D1 is behind. */
  lagMs: number;
  /** 0 after a success; the failed attempt's number otherwise. */
  attempt: number;
}

/** Count, total and worst latency of one (kind, outcome). */
export interface Tally {
  count: number;
  totalMs: number;
  maxMs: number;
}

const startedAt = Date.now();
const tallies = new Map<string, Tally>();
let lastReplication: (ReplicationFigure & { at: number }) | null = null;

function tally(kind: FigureKind, outcome: string, ms: number): void {
  const key = `${kind} ${outcome}`;
  const entry = tallies.get(key) ?? { count: 0, totalMs: 0, maxMs: 0 };
  entry.count += 1;
  entry.totalMs += ms;
  entry.maxMs = Math.max(entry.maxMs, ms);
  tallies.set(key, entry);
}

function write(dataset: AnalyticsEngineDataset | undefined, kind: FigureKind, blobs: string[], doubles: number[]): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint({ indexes: [kind], blobs: [kind, ...blobs], doubles });
  } catch (error) {
    // Figures must never cost a reply.
    console.warn(JSON.stringify({ event: "ops_figure_dropped", kind, error: error instanceof Error ? error.message : String(error) }));
  }
}

/** One point per model call of a consult (ok ones too). */
export function recordModelCalls(env: FiguresEnv, calls: readonly LlmCallReport[] | undefined, waitUntil?: WaitUntil): void {
  const key = healthKey("nvidia", env.NVIDIA_LLM_URL?.trim() || DEFAULT_NVIDIA_LLM_URL);
  for (const call of calls ?? []) {
    const latency = call.latencyMs ?? 0;
    tally("model_call", call.outcome, latency);
    tallyCall(env, key, call.outcome, latency, waitUntil);
    write(env.OPS_FIGURES, "model_call", [call.outcome, call.purpose ?? ""], [latency, call.attempts ?? 0]);
  }
}

/** `base`: the speech worker's API base (`.../v1`), as its breaker names it. */
export function recordSpeechCall(env: FiguresEnv, base: string, figure: SpeechCallFigure, waitUntil?: WaitUntil): void {
  tally("speech_call", figure.outcome, figure.latencyMs);
  tallyCall(env, healthKey("speech", base), figure.outcome, figure.latencyMs, waitUntil);
  write(env.OPS_FIGURES, "speech_call", [figure.outcome, figure.path], [figure.latencyMs, figure.status ?? 0]);
}

/** `objectId`: the interview object that ran it, so the fleet's backlog is the sum over objects. */
export function recordReplication(env: FiguresEnv, objectId: string, figure: ReplicationFigure): void {
  tally("replication", figure.outcome, figure.lagMs);
  lastReplication = { ...figure, at: Date.now() };
  tallyCall(env, REPLICATION_KEY, figure.outcome, figure.lagMs);
  tallyBacklog(env, objectId, figure.backlogAfter, figure.lagMs);
  write(env.OPS_FIGURES, "replication", [figure.outcome], [figure.rows, figure.backlogAfter, figure.lagMs, figure.attempt]);
}

export interface IsolateFigures {
  /** When this isolate started counting (epoch ms). */
  since: number;
  /** `{kind: {outcome: {count, meanMs, maxMs}}}`; for replication the ms are the lag. */
  calls: Record<string, Record<string, { count: number; meanMs: number; maxMs: number }>>;
  lastReplication: (ReplicationFigure & { at: number }) | null;
}

/** This isolate's counters, for `GET /ops`. */
export function isolateFigures(): IsolateFigures {
  const calls: IsolateFigures["calls"] = {};
  for (const [key, entry] of tallies) {
    const [kind, outcome] = key.split(" ") as [string, string];
    (calls[kind] ??= {})[outcome] = { count: entry.count, meanMs: Math.round(entry.totalMs / entry.count), maxMs: Math.round(entry.maxMs) };
  }
  return { since: startedAt, calls, lastReplication };
}

/** Tests only: counters back to zero. */
export function forgetIsolateFiguresForTests(): void {
  tallies.clear();
  lastReplication = null;
}
