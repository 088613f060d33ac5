/**
 * What the fleet knows of each dependency right now: the model API (when NVIDIA_API_KEY is
 * set), each speech worker of SPEECH_WORKER_URL, and D1 replication. For each, the circuit
 * breaker's state as its ServiceHealth object holds it, and the operator counters it keeps
 * (ops/ledger.ts). Read by `GET /ops` (everything) and `GET /health` (a one-word state each,
 * the detail for the admin).
 */
import type { Env } from "../env.ts";
import { healthKey, type Dependency } from "../health/dependencies.ts";
import type { FleetView } from "../health/fleet-breaker.ts";
import type { BreakerState } from "../health/circuit-breaker.ts";
import { nvidiaConfig } from "../model/nvidia/config.ts";
import { speechBases } from "../speech/speech-pool.ts";
import type { LedgerSummary } from "./ledger.ts";
import { REPLICATION_KEY } from "./fleet-tally.ts";

/** A health object slower than this is reported as not answering (a probe must stay quick). */
export const HEALTH_OBJECT_TIMEOUT_MS = 2_000;

export interface BreakerStatus {
  state: BreakerState;
  /** Consecutive failures while closed. */
  failures: number;
  /** While open: when calls will be tried again (ms from now). */
  retryInMs: number | null;
}

export interface DependencyStatus {
  dependency: Dependency;
  endpoint: string;
  /** Null when the fleet's health object did not answer (then `error` says why) or is not bound. */
  breaker: BreakerStatus | null;
  calls: LedgerSummary | null;
  error?: string;
}

/** The dependencies this configuration uses, by breaker key. */
export function configuredDependencies(env: Env): { dependency: Dependency; endpoint: string }[] {
  const model = nvidiaConfig(env);
  return [
    ...(model ? [{ dependency: "nvidia" as const, endpoint: model.url }] : []),
    ...speechBases(env.SPEECH_WORKER_URL).map((endpoint) => ({ dependency: "speech" as const, endpoint })),
  ];
}

export async function dependencyStatuses(env: Env): Promise<DependencyStatus[]> {
  return Promise.all(
    configuredDependencies(env).map(async ({ dependency, endpoint }) => {
      const namespace = env.SERVICE_HEALTH;
      if (!namespace) return { dependency, endpoint, breaker: null, calls: null, error: "SERVICE_HEALTH is not bound" };
      try {
        const stub = namespace.get(namespace.idFromName(healthKey(dependency, endpoint)));
        const [view, calls] = await withTimeout(Promise.all([stub.view(), stub.figures()]));
        return { dependency, endpoint, breaker: breakerStatus(view as FleetView), calls: calls as LedgerSummary };
      } catch (error) {
        return { dependency, endpoint, breaker: null, calls: null, error: messageOf(error) };
      }
    }),
  );
}

/** The fleet's replication counters and backlog; null without the health objects. */
export async function replicationStatus(env: Env): Promise<LedgerSummary | { error: string } | null> {
  const namespace = env.SERVICE_HEALTH;
  if (!namespace) return null;
  try {
    return (await withTimeout(namespace.get(namespace.idFromName(REPLICATION_KEY)).figures(true))) as LedgerSummary;
  } catch (error) {
    return { error: messageOf(error) };
  }
}

export function breakerStatus(view: FleetView, now = Date.now()): BreakerStatus {
  const state: BreakerState = !view.opened ? "closed" : now < view.openUntil ? "open" : "half_open";
  return { state, failures: view.failures, retryInMs: state === "open" ? view.openUntil - now : null };
}

export function withTimeout<T>(work: Promise<T>, ms = HEALTH_OBJECT_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
