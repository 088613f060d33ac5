/**
 * `GET /export/session/:id` (admin): the session row and all its answers, check-ins and
 * telemetry, each ordered by time, timestamps ISO-8601 UTC, telemetry payloads parsed.
 * 404 for an unknown session (the seed answered 200 `{"error":"not_found"}`).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { SessionIdParam } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import { exportSession } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { access } from "./access-policy.ts";
import { validate } from "./validate.ts";

export const exports = new Hono<AppEnv>().get(
  "/export/session/:id",
  access("admin"),
  validate("param", SessionIdParam),
  async function getSessionExport(c) {
    const { id } = c.req.valid("param");
    const exported = await withDb(c.env, (db) => exportSession(db, id));
    if (!exported) throw new HTTPException(404, { message: `Unknown session ${id}.`, cause: "not_found" });
    return c.json(exported);
  },
);
