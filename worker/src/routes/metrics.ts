/**
 * `GET /metrics/summary` (admin): the seed's shape (`groups`, `delta`) plus per-session
 * statistics (stats/summary.ts). Filters: `from`, `to` (ISO-8601, on the session's start,
 * `to` exclusive), `pack`, `style` (the session's starting style), `excludeClientAssigned`
 * (leave out sessions whose arm a client chose).
 */
import { Hono } from "hono";
import { MetricsQuery } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import { metricsAggregates } from "../storage/metrics-aggregates.ts";
import { withDb } from "../storage/db.ts";
import { metricsSummary } from "../stats/summary.ts";
import { access } from "./access-policy.ts";
import { validate } from "./validate.ts";

export const metrics = new Hono<AppEnv>().get(
  "/metrics/summary",
  access("admin"),
  validate("query", MetricsQuery),
  async function getMetricsSummary(c) {
    const { excludeClientAssigned, ...filter } = c.req.valid("query");
    const aggregates = await withDb(c.env, (db) => metricsAggregates(db, filter));
    return c.json(metricsSummary(aggregates, { excludeClientAssigned }));
  },
);
