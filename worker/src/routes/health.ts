/** `GET /health`: liveness, in the seed's shape. */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const health = new Hono<AppEnv>().get("/health", function healthCheck(c) {
  return c.json({ status: "ok" });
});
