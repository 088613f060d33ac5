/**
 * `GET /ops` (admin): the operator's live view, fleet-wide. For each dependency (the model
 * API, each speech worker): its circuit breaker and its calls by outcome with count, mean and
 * worst latency since its health object started counting; for D1 replication: runs by outcome
 * with their lag, and the records interview objects still hold for D1 (the backlog), in how
 * many objects, with the worst lag. Plus this isolate's own counters, and whether the
 * Analytics Engine dataset (the history) is bound. README "Observability" explains each field
 * and the SQL for the history.
 */
import { Hono } from "hono";
import { access, type AccessEnv } from "./access-policy.ts";
import { dependencyStatuses, replicationStatus } from "../ops/dependency-status.ts";
import { isolateFigures } from "../ops/figures.ts";

export const ops = new Hono<AccessEnv>().get("/ops", access("admin"), async function operatorFigures(c) {
  const [dependencies, replication] = await Promise.all([dependencyStatuses(c.env), replicationStatus(c.env)]);
  return c.json({
    at: Date.now(),
    dependencies,
    replication,
    isolate: isolateFigures(),
    analyticsEngine: c.env.OPS_FIGURES ? "bound" : "not bound",
  });
});
