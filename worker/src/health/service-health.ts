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
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { healthClock } from "./clock.ts";
import { FleetBreaker, type FleetReport, type FleetView, type ProbeAnswer } from "./fleet-breaker.ts";

const KEY = "breaker";

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

  /** Forgets the outage (an operator after a fix, or a test): closed, for every isolate's next view. */
  reset(): FleetView {
    return this.save(this.fleet.reset());
  }

  private save(view: FleetView): FleetView {
    this.ctx.storage.kv.put(KEY, view);
    return view;
  }
}
