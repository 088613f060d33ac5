/**
 * The circuit breaker state machine for one dependency (the NVIDIA API, the speech worker),
 * so a failing or hung dependency costs its full timeout a few times, not on every call.
 *
 * closed ──(failureThreshold consecutive failures)──▶ open ──(cooldown)──▶ half-open
 * half-open lets exactly one probe call through: success closes, failure re-opens with the
 * cooldown doubled (capped). While open, calls are refused at once.
 *
 * Pure and synchronous: the same machine runs in each isolate (`shared-breaker.ts`) and,
 * authoritative for the fleet, in the `ServiceHealth` Durable Object, which persists its
 * snapshot. The probe is a lease with an expiry, so a prober that vanished (an evicted
 * object, a lost isolate) cannot keep the circuit half-open for ever.
 */

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** First open period, in ms. */
  cooldownMs: number;
  /** Cap on the doubled open period, in ms. */
  maxCooldownMs: number;
}

/** 3 calls ≈ one or two failing turns (a turn makes one or two calls). 30 s then up to 5 min. */
export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 3, cooldownMs: 30_000, maxCooldownMs: 300_000 };

export type BreakerState = "closed" | "open" | "half_open";

/** What a caller was granted: an ordinary call (closed) or the half-open probe. */
export type Grant = "call" | "probe";

/** Everything the machine knows, as plain data (stored by ServiceHealth, sent to isolates). */
export interface BreakerSnapshot {
  opened: boolean;
  /** Consecutive failures while closed. */
  failures: number;
  /** Epoch ms; with `opened`, the end of the open period (half-open after it). */
  openUntil: number;
  /** The open period the next failed probe doubles. */
  cooldownMs: number;
  /** Epoch ms until which the probe is leased; 0 when nobody probes. */
  probeUntil: number;
}

export class CircuitBreaker {
  private s: BreakerSnapshot;

  constructor(
    private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER,
    private readonly clock: () => number = Date.now,
    snapshot?: BreakerSnapshot,
  ) {
    this.s = snapshot ? { ...snapshot } : closedSnapshot(options);
  }

  state(): BreakerState {
    if (!this.s.opened) return "closed";
    return this.clock() < this.s.openUntil ? "open" : "half_open";
  }

  /** Whether the half-open probe is leased right now (to this caller or another). */
  probing(): boolean {
    return this.s.probeUntil > this.clock();
  }

  /** Whether a call now would be refused: open, or half-open with the probe taken. */
  refuses(): boolean {
    const state = this.state();
    return state === "open" || (state === "half_open" && this.probing());
  }

  /**
   * A call may go out now as an ordinary call, or as the probe (leased for `leaseMs`, which
   * should cover the call's own timeout); null when refused.
   */
  acquire(leaseMs = Number.POSITIVE_INFINITY): Grant | null {
    const state = this.state();
    if (state === "closed") return "call";
    if (state === "open" || this.probing()) return null;
    this.s.probeUntil = this.clock() + leaseMs;
    return "probe";
  }

  /** Any answer from the dependency closes the circuit. */
  success(): void {
    this.s = closedSnapshot(this.options);
  }

  failure(grant: Grant): void {
    if (grant === "probe") {
      // The probe failed: open again for longer.
      this.s.probeUntil = 0;
      this.s.cooldownMs = Math.min(this.options.maxCooldownMs, this.s.cooldownMs * 2);
      this.open();
      return;
    }
    // A call that started before the circuit opened and failed late changes nothing.
    if (this.s.opened) return;
    this.s.failures += 1;
    if (this.s.failures >= this.options.failureThreshold) this.open();
  }

  /** A call that never reached a verdict (aborted by its caller): a probe frees its lease. */
  release(grant: Grant): void {
    if (grant === "probe") this.s.probeUntil = 0;
  }

  /** When a refused call will next be tried (epoch ms); null when calls go through now. */
  retryAt(): number | null {
    if (!this.refuses()) return null;
    return Math.max(this.s.openUntil, this.s.probeUntil);
  }

  snapshot(): BreakerSnapshot {
    return { ...this.s };
  }

  /** Takes over another machine's state (the fleet's view), keeping a probe lease of our own. */
  adopt(snapshot: BreakerSnapshot): void {
    const ownProbe = this.s.probeUntil;
    this.s = { ...snapshot, probeUntil: Math.max(snapshot.probeUntil, ownProbe) };
  }

  private open(): void {
    this.s.opened = true;
    this.s.failures = 0;
    this.s.openUntil = this.clock() + this.s.cooldownMs;
  }
}

function closedSnapshot(options: CircuitBreakerOptions): BreakerSnapshot {
  return { opened: false, failures: 0, openUntil: 0, cooldownMs: options.cooldownMs, probeUntil: 0 };
}
