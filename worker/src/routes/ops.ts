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
import { errorBody } from "@interview/shared";
import type { AppEnv } from "../env.ts";
import { adminVerdict } from "../ops/admin-only.ts";
import { dependencyStatuses, replicationStatus } from "../ops/dependency-status.ts";
import { isolateFigures } from "../ops/figures.ts";

export const ops = new Hono<AppEnv>().get("/ops", async function operatorFigures(c) {
  const verdict = await adminVerdict(c);
  if (verdict === "not_configured") return c.json(errorBody("unavailable", "ADMIN_TOKEN is not configured on this server."), 503);
  if (verdict === "no_token" || verdict === "malformed") return c.json(errorBody("unauthorized", "This route needs `Authorization: Bearer <ADMIN_TOKEN>`."), 401);
  if (verdict !== "admin") return c.json(errorBody("forbidden", "The token is not the admin token."), 403);
  const [dependencies, replication] = await Promise.all([dependencyStatuses(c.env), replicationStatus(c.env)]);
  return c.json({
    at: Date.now(),
    dependencies,
    replication,
    isolate: isolateFigures(),
    analyticsEngine: c.env.OPS_FIGURES ? "bound" : "not bound",
  });
});
