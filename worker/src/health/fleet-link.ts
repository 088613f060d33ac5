/**
 * The `ServiceHealth` object of one dependency as a HealthLink. A stub is made per request:
 * stubs are cheap, and one made while serving one request should not serve another's I/O.
 */
import type { ServiceHealth } from "./service-health.ts";
import type { FleetReport, FleetView, ProbeAnswer } from "./fleet-breaker.ts";
import type { HealthLink } from "./shared-breaker.ts";

export function durableHealthLink(namespace: DurableObjectNamespace<ServiceHealth>, key: string): HealthLink {
  const stub = () => namespace.get(namespace.idFromName(key));
  return {
    view: async () => (await stub().view()) as FleetView,
    report: async (report: FleetReport) => (await stub().report(report)) as FleetView,
    acquireProbe: async (leaseMs: number) => (await stub().acquireProbe(leaseMs)) as ProbeAnswer,
  };
}
