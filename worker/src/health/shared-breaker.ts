/**
 * A dependency's circuit breaker as this isolate sees it: a local machine (`CircuitBreaker`)
 * that takes over the fleet's state from the `ServiceHealth` object whenever a newer view
 * arrives, and keeps counting this isolate's own calls in between.
 *
 * Why both: the local machine answers every question synchronously, so no call ever waits
 * on the health object (except the half-open probe lease, which is awaited briefly); the
 * fleet's view makes an outage seen by other isolates refuse calls here too, and lets one
 * probe recover everyone. When the health object fails or is slow, the local machine simply
 * goes on alone, as a per-isolate breaker: a turn is never blocked or failed by it.
 *
 * Health I/O, all fire-and-forget: a view is asked for at most once per `REFRESH_INTERVAL_MS`
 * and only when a call is being considered (no timers while idle, so Durable Objects still
 * hibernate); failures are reported, successes only when they change something (a probe,
 * or failures were on record). A view that arrives while a call is running can open the
 * circuit; a watched call then gets its `signal` aborted, so a hung call stops within about
 * a second of the fleet learning of the outage instead of running to its timeout.
 *
 * Shared state, per-request I/O: a Worker may not touch one request's I/O objects from
 * another, so this holds only plain data. Every request to the health object starts in the
 * context of the call that needs it, and a watched call polls the state from its own timer
 * instead of being aborted from another request's callback.
 */
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerState, type CircuitBreakerOptions, type Grant } from "./circuit-breaker.ts";
import type { FleetReport, FleetView, ProbeAnswer } from "./fleet-breaker.ts";

/** The health object as seen from an isolate (a Durable Object stub in production). */
export interface HealthLink {
  view(): Promise<FleetView>;
  report(report: FleetReport): Promise<FleetView>;
  acquireProbe(leaseMs: number): Promise<ProbeAnswer>;
}

export interface AcquireOptions {
  /** How long the probe lease lasts if this call is the probe: the call's own timeout. */
  leaseMs: number;
  /** Give the permit a `signal` that aborts if the circuit opens while the call runs. */
  watch?: boolean;
  /** A Worker request's `waitUntil`, so background health I/O outlives the response. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Leave to make one call; exactly one of success, failure or release ends it. */
export interface Permit {
  readonly grant: Grant;
  /** With `watch`: aborted (reason "circuit_open") when the circuit opens mid-call. */
  readonly signal: AbortSignal | null;
  /** The dependency answered (whatever the content). */
  success(): void;
  /** Timeout, network error, 5xx: the dependency is failing. */
  failure(): void;
  /** No verdict (the caller gave up, or the call was cut short): counts as neither. */
  release(): void;
}

/** What the model adapter and the speech client need from a breaker. */
export interface Breaker {
  state(): BreakerState;
  /** Synchronous and I/O-free in its answer: a call now would be refused. */
  refusesNow(waitUntil?: AcquireOptions["waitUntil"]): boolean;
  /** How long until refused calls will next be tried, or null when calls go through now. */
  retryInMs(): number | null;
  acquire(options: AcquireOptions): Promise<Permit | null>;
}

/** How often, at most, an isolate asks for the fleet's view. */
export const REFRESH_INTERVAL_MS = 1_000;
/** A view or report that takes longer counts as the health object failing. */
export const LINK_TIMEOUT_MS = 2_000;
/** The half-open probe waits this long for the fleet's lease, then probes on its own. */
export const PROBE_WAIT_MS = 500;
/** After the health object failed, the breaker works alone this long before asking again. */
export const LINK_RETRY_MS = 5_000;
/** How often a watched call checks whether the circuit opened. */
export const WATCH_INTERVAL_MS = 250;

export interface SharedBreakerOptions {
  /** The fleet's health object; null: a breaker of this isolate alone. */
  link?: HealthLink | null;
  clock?: () => number;
  breaker?: CircuitBreakerOptions;
  /** For log lines. */
  name?: string;
}

export class SharedBreaker implements Breaker {
  private readonly link: HealthLink | null;
  private readonly clock: () => number;
  private readonly breakerOptions: CircuitBreakerOptions;
  private readonly name: string;
  private local!: CircuitBreaker;
  /** The newest fleet view taken over, so an older one arriving late is dropped. */
  private applied: { epoch: string; version: number } | null = null;
  /** When a view was last asked for or received. */
  private lastViewAt = Number.NEGATIVE_INFINITY;
  private linkDownUntil = 0;
  private warned = false;
  /** Bumped by `forget`, so answers to requests made before it are dropped. */
  private generation = 0;

  constructor(options: SharedBreakerOptions = {}) {
    this.link = options.link ?? null;
    this.clock = options.clock ?? Date.now;
    this.breakerOptions = options.breaker ?? DEFAULT_BREAKER;
    this.name = options.name ?? "dependency";
    this.forget();
  }

  /** Back to closed with no fleet view (tests, between cases). */
  forget(): void {
    this.generation += 1;
    this.local = new CircuitBreaker(this.breakerOptions, this.clock);
    this.applied = null;
    this.lastViewAt = Number.NEGATIVE_INFINITY;
    this.linkDownUntil = 0;
    this.warned = false;
  }

  state(): BreakerState {
    return this.local.state();
  }

  refusesNow(waitUntil?: AcquireOptions["waitUntil"]): boolean {
    this.refresh(waitUntil);
    return this.local.refuses();
  }

  retryInMs(): number | null {
    const at = this.local.retryAt();
    return at === null ? null : Math.max(0, at - this.clock());
  }

  async acquire(options: AcquireOptions): Promise<Permit | null> {
    this.refresh(options.waitUntil);
    const grant = this.local.acquire(options.leaseMs);
    if (grant === null) return null;
    if (grant === "call") return this.permit("call", options, false);
    // Half-open, and this isolate's probe slot is ours: the fleet picks one prober for all.
    const answer = await this.ask((link) => link.acquireProbe(options.leaseMs), options.waitUntil, PROBE_WAIT_MS);
    if (answer === null) return this.permit("probe", options, false); // no fleet: probe alone
    // The answer is the fleet's state now: taken over even if no newer than the last view.
    if (!answer.granted) {
      this.local.release("probe");
      this.apply(answer.view, true);
      return null;
    }
    if (!answer.view.opened) {
      // Someone else's probe closed the circuit meanwhile: an ordinary call.
      this.local.release("probe");
      this.apply(answer.view, true);
      return this.permit("call", options, false);
    }
    this.apply(answer.view, true);
    return this.permit("probe", options, true);
  }

  private permit(grant: Grant, options: AcquireOptions, fleetLease: boolean): Permit {
    let settled = false;
    let controller: AbortController | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    if (options.watch && grant === "call") {
      const watched = new AbortController();
      controller = watched;
      timer = setInterval(() => {
        this.refresh(options.waitUntil);
        if (this.local.state() === "closed") return;
        clearInterval(timer);
        watched.abort("circuit_open");
      }, WATCH_INTERVAL_MS);
    }
    const settle = (apply: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      apply();
    };
    return {
      grant,
      signal: controller?.signal ?? null,
      success: () =>
        settle(() => {
          const before = this.local.snapshot();
          this.local.success();
          // A success changes the fleet's state only after failures or as the probe.
          if (grant === "probe" || before.opened || before.failures > 0) this.report({ outcome: "success" }, options.waitUntil);
        }),
      failure: () =>
        settle(() => {
          this.local.failure(grant);
          this.report({ outcome: "failure", probe: grant === "probe" }, options.waitUntil);
        }),
      release: () =>
        settle(() => {
          this.local.release(grant);
          if (fleetLease) this.report({ outcome: "release" }, options.waitUntil);
        }),
    };
  }

  /** Asks for the fleet's view if the last one is over a second old; never awaited. */
  private refresh(waitUntil: AcquireOptions["waitUntil"]): void {
    if (this.link === null || this.clock() - this.lastViewAt < REFRESH_INTERVAL_MS) return;
    this.lastViewAt = this.clock();
    void this.ask((link) => link.view(), waitUntil).then((view) => view && this.apply(view));
  }

  private report(report: FleetReport, waitUntil: AcquireOptions["waitUntil"]): void {
    void this.ask((link) => link.report(report), waitUntil).then((view) => view && this.apply(view));
  }

  /** One request to the health object; null when there is none, it failed or it was too slow. */
  private ask<T>(request: (link: HealthLink) => Promise<T>, waitUntil: AcquireOptions["waitUntil"], timeoutMs = LINK_TIMEOUT_MS): Promise<T | null> {
    const link = this.link;
    if (link === null || this.clock() < this.linkDownUntil) return Promise.resolve(null);
    const generation = this.generation;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const answer = Promise.race([Promise.resolve().then(() => request(link)), timeout]).then(
      (value) => {
        if (generation !== this.generation) return null;
        this.warned = false;
        return value;
      },
      (error: unknown) => {
        if (generation !== this.generation) return null;
        this.linkDownUntil = this.clock() + LINK_RETRY_MS;
        if (!this.warned) console.warn(`health of ${this.name}: the ServiceHealth object failed; this isolate's breaker works alone for now`, error);
        this.warned = true;
        return null;
      },
    );
    const settled = answer.finally(() => clearTimeout(timer));
    waitUntil?.(settled);
    return settled;
  }

  /** Takes over a fleet view newer than the last one applied (or `current`: just read). */
  private apply(view: FleetView, current = false): void {
    const last = this.applied;
    const sameEpoch = last !== null && last.epoch === view.epoch;
    if (!current && sameEpoch && view.version <= last.version) return;
    this.applied = { epoch: view.epoch, version: sameEpoch ? Math.max(last.version, view.version) : view.version };
    this.lastViewAt = Math.max(this.lastViewAt, this.clock());
    const { opened, failures, openUntil, cooldownMs, probeUntil } = view;
    this.local.adopt({ opened, failures, openUntil, cooldownMs, probeUntil });
  }
}
