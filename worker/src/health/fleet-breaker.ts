/**
 * The fleet's breaker for one dependency: the state machine every isolate reports to and
 * reads from (through the `ServiceHealth` Durable Object, which adds storage and RPC).
 *
 * Each change bumps `version`, so an isolate can drop a view older than one it already
 * applied (answers to concurrent requests arrive in any order). `epoch` is drawn when the
 * state is first made, so a view from a wiped object is not mistaken for an old one.
 */
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerSnapshot, type CircuitBreakerOptions } from "./circuit-breaker.ts";

/** The fleet's state as isolates see it. Times are the health object's epoch ms. */
export interface FleetView extends BreakerSnapshot {
  epoch: string;
  version: number;
}

/** What an isolate tells the fleet about one of its calls. */
export type FleetReport = { outcome: "success" } | { outcome: "failure"; probe: boolean } | { outcome: "release" };

export interface ProbeAnswer {
  /** True: go ahead (the probe lease is yours, or the circuit is closed again). */
  granted: boolean;
  view: FleetView;
}

export class FleetBreaker {
  private readonly breaker: CircuitBreaker;
  private epoch: string;
  private version: number;

  constructor(
    saved: FleetView | undefined,
    private readonly clock: () => number = Date.now,
    options: CircuitBreakerOptions = DEFAULT_BREAKER,
  ) {
    this.breaker = new CircuitBreaker(options, clock, saved);
    this.epoch = saved?.epoch ?? crypto.randomUUID();
    this.version = saved?.version ?? 0;
  }

  view(): FleetView {
    return { ...this.breaker.snapshot(), epoch: this.epoch, version: this.version };
  }

  /** Applies one call's outcome; returns the view after it. */
  report(report: FleetReport): FleetView {
    if (report.outcome === "success") this.breaker.success();
    else if (report.outcome === "failure") this.breaker.failure(report.probe ? "probe" : "call");
    else this.breaker.release("probe");
    return this.changed();
  }

  /**
   * One caller fleet-wide gets the half-open probe, for `leaseMs` (its call's timeout); the
   * others are told to wait. While closed anyone may call; while open nobody.
   */
  acquireProbe(leaseMs: number): ProbeAnswer {
    const grant = this.breaker.acquire(leaseMs);
    if (grant === "probe") return { granted: true, view: this.changed() };
    return { granted: grant === "call", view: this.view() };
  }

  reset(): FleetView {
    this.breaker.success();
    return this.changed();
  }

  private changed(): FleetView {
    this.version += 1;
    return this.view();
  }
}
