/**
 * `ServiceHealth`: one Durable Object per dependency (`idFromName(key)`, see
 * `dependencies.ts`) holding the fleet's authoritative circuit breaker for it, so an outage
 * seen by some interviews is known to all of them, and recovery needs one probe call, not
 * one per isolate.
 *
 * Isolates talk to it off the reply's critical path (`shared-breaker.ts`): failure reports
 * and state-changing successes fire and forget, views are refreshed at most about once a
 * second in the background; only the half-open probe lease is awaited, briefly. The state
 * is persisted on every change (a handful of small writes per outage, none while healthy),
 * so an eviction or a deploy does not forget an outage in progress.
 *
 * It also keeps the dependency's operator counters (ops/ledger.ts: calls by outcome and
 * latency; for D1 replication, the fleet's backlog), added in batches by isolates and read
 * by `GET /ops`.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { healthClock } from "./clock.ts";
import { FleetBreaker, type FleetReport, type FleetView, type ProbeAnswer } from "./fleet-breaker.ts";
import { addBatch, emptyLedger, summarize, type Ledger, type LedgerSummary, type TallyBatch } from "../ops/ledger.ts";

const KEY = "breaker";
/** The operator counters of the dependency (ops/ledger.ts), beside its breaker. */
const LEDGER_KEY = "ledger";

export class ServiceHealth extends DurableObject<Env> {
  private readonly fleet: FleetBreaker;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.fleet = new FleetBreaker(ctx.storage.kv.get<FleetView>(KEY), healthClock);
  }

  view(): FleetView {
    return this.fleet.view();
  }

  report(report: FleetReport): FleetView {
    return this.save(this.fleet.report(report));
  }

  acquireProbe(leaseMs: number): ProbeAnswer {
    const answer = this.fleet.acquireProbe(leaseMs);
    if (answer.granted) this.save(answer.view);
    return answer;
  }

  /** Adds an isolate's batch of call outcomes (ops/fleet-tally.ts). */
  tally(batch: TallyBatch): void {
    this.ctx.storage.kv.put(LEDGER_KEY, addBatch(this.ledger(), batch));
  }

  /** The operator counters since `since` (GET /ops); `withBacklog` for the replication ledger. */
  figures(withBacklog = false): LedgerSummary {
    return summarize(this.ledger(), withBacklog);
  }

  private ledger(): Ledger {
    return this.ctx.storage.kv.get<Ledger>(LEDGER_KEY) ?? emptyLedger(Date.now());
  }

  /** Forgets the outage (an operator after a fix, or a test): closed, for every isolate's next view. */
  reset(): FleetView {
    return this.save(this.fleet.reset());
  }

  private save(view: FleetView): FleetView {
    this.ctx.storage.kv.put(KEY, view);
    return view;
  }
}
