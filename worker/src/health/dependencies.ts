/**
 * One shared breaker per dependency, per isolate. Module scope on purpose: every Durable
 * Object of a class in an isolate, and every request the isolate serves, sees the same
 * breaker (in `wrangler dev` that is every interview), and each reports to and reads from
 * the dependency's `ServiceHealth` object, which the whole fleet shares.
 *
 * Keyed by dependency and endpoint (`nvidia <url>`, `speech <url>`): an outage belongs to
 * the endpoint, so pointing the Worker at another URL starts from a clean bill of health.
 */
import type { Env } from "../env.ts";
import { healthClock } from "./clock.ts";
import { durableHealthLink } from "./fleet-link.ts";
import { SharedBreaker } from "./shared-breaker.ts";

export type Dependency = "nvidia" | "speech";

const breakers = new Map<string, SharedBreaker>();

/** The isolate's breaker for a dependency at `endpoint`; without the SERVICE_HEALTH binding it works alone. */
export function dependencyBreaker(env: Pick<Env, "SERVICE_HEALTH">, dependency: Dependency, endpoint: string): SharedBreaker {
  const key = healthKey(dependency, endpoint);
  let breaker = breakers.get(key);
  if (!breaker) {
    const namespace = env.SERVICE_HEALTH;
    breaker = new SharedBreaker({ link: namespace ? durableHealthLink(namespace, key) : null, clock: healthClock, name: key });
    breakers.set(key, breaker);
  }
  return breaker;
}

/** The key of the ServiceHealth object a dependency's breaker reports to. */
export function healthKey(dependency: Dependency, endpoint: string): string {
  return `${dependency} ${endpoint}`;
}

/** Tests only: every breaker of this isolate back to closed, with no fleet view. */
export function forgetDependencyBreakersForTests(): void {
  for (const breaker of breakers.values()) breaker.forget();
}
