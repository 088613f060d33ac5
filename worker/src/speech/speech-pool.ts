/**
 * Several speech workers behind one setting: `SPEECH_WORKER_URL` may list more than one,
 * comma-separated. Each call goes to a healthy, least-busy one:
 *
 * - healthy: its circuit breaker (one per URL, shared by the fleet: `health/dependencies.ts`)
 *   does not refuse calls, and it has not failed (network error, timeout, 5xx) in the last
 *   `SUSPECT_MS` on this isolate. The breaker needs 3 failures to open; one failure is enough
 *   to prefer the others, so a worker that died costs one request, not three.
 * - least busy: the fewest calls (HTTP requests and realtime connections) this isolate has in
 *   flight to it; ties go round-robin.
 *
 * When none is healthy the one whose last failure is oldest is used (the least busy among
 * equals), so its breaker answers (fails fast, or lets the half-open probe through): voice
 * comes back by itself when a worker does, and a retry goes to another worker than the one
 * that just failed.
 */
import type { Env } from "../env.ts";
import { dependencyBreaker } from "../health/dependencies.ts";
import type { SharedBreaker } from "../health/shared-breaker.ts";

/** After a failure, a worker is passed over for this long while another is healthy. */
export const SUSPECT_MS = 10_000;

interface Member {
  inFlight: number;
  failedAt: number;
}

const members = new Map<string, Member>();
let turn = 0;

/** One speech worker chosen for a call: its API base (`.../v1`), its breaker, and the lease to end. */
export interface SpeechTarget {
  base: string;
  breaker: SharedBreaker;
  /** Counts the call as in flight until `done`. */
  begin(): void;
  /** The call ended: `failed` when the worker did not answer properly (network, timeout, 5xx); null: no verdict (cancelled). */
  done(failed: boolean | null): void;
}

/** Every configured speech worker's API base, in the order given; [] when unset. */
export function speechBases(value: string | undefined): string[] {
  const bases = (value ?? "")
    .split(",")
    .map((one) => apiBase(one))
    .filter((base): base is string => base !== null);
  return [...new Set(bases)];
}

/** `http://host:8788` or `https://host/v1` (trailing slashes ignored) → the API base ending in `/v1`; null if empty. */
export function apiBase(url: string | undefined): string | null {
  const base = url?.trim().replace(/\/+$/, "");
  return base ? (base.endsWith("/v1") ? base : `${base}/v1`) : null;
}

/** The speech worker the next call should go to, or null when none is configured. */
export function pickSpeechTarget(
  env: Pick<Env, "SPEECH_WORKER_URL" | "SERVICE_HEALTH">,
  now = Date.now(),
  /** Workers this call already failed to reach: not picked again. */
  exclude: ReadonlySet<string> = new Set(),
): SpeechTarget | null {
  const bases = speechBases(env.SPEECH_WORKER_URL).filter((base) => !exclude.has(base));
  if (bases.length === 0) return null;
  const candidates = bases.map((base) => ({ base, breaker: dependencyBreaker(env, "speech", base), member: member(base) }));
  const healthy = candidates.filter((c) => !c.breaker.refusesNow() && now - c.member.failedAt >= SUSPECT_MS);
  // None healthy: the one that failed longest ago (a worker that just failed is tried last).
  const oldestFailure = Math.min(...candidates.map((c) => c.member.failedAt));
  const pool = healthy.length > 0 ? healthy : candidates.filter((c) => c.member.failedAt === oldestFailure);
  const least = Math.min(...pool.map((c) => c.member.inFlight));
  const idle = pool.filter((c) => c.member.inFlight === least);
  const chosen = idle[turn++ % idle.length]!;
  return target(chosen.base, chosen.breaker, chosen.member);
}

function target(base: string, breaker: SharedBreaker, m: Member): SpeechTarget {
  let open = false;
  return {
    base,
    breaker,
    begin() {
      if (open) return;
      open = true;
      m.inFlight += 1;
    },
    done(failed) {
      if (open) m.inFlight -= 1;
      open = false;
      // A success clears the suspicion: the worker is back.
      if (failed !== null) m.failedAt = failed ? Date.now() : Number.NEGATIVE_INFINITY;
    },
  };
}

function member(base: string): Member {
  let m = members.get(base);
  if (!m) {
    m = { inFlight: 0, failedAt: Number.NEGATIVE_INFINITY };
    members.set(base, m);
  }
  return m;
}

/** Tests only: forget in-flight counts and failures. */
export function forgetSpeechPoolForTests(): void {
  members.clear();
  turn = 0;
}
