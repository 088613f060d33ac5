/**
 * `GET /health`: liveness in the seed's shape (`{"status":"ok"}`) plus storage reachability.
 * D1 answering a trivial query within 2 s: 200 `{"status":"ok","storage":"ok"}`. Otherwise
 * 503 `{"status":"degraded","storage":"unreachable"}`: interviews still run and keep their
 * records in the Durable Objects' outboxes, but REST reads and HTTP check-ins fail until
 * D1 is back, so a monitor should page on it.
 */
import { Hono } from "hono";
import { access, type AccessEnv } from "./access-policy.ts";
import { researchDb } from "../storage/db.ts";
import { ping } from "../storage/reads.ts";

/** Long enough for a cold D1 round trip, short enough for a health probe. */
const STORAGE_PROBE_TIMEOUT_MS = 2_000;

export const health = new Hono<AccessEnv>().get("/health", access("public"), async function healthCheck(c) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      ping(researchDb(c.env)),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("storage probe timed out")), STORAGE_PROBE_TIMEOUT_MS);
      }),
    ]);
    return c.json({ status: "ok", storage: "ok" });
  } catch (error) {
    console.warn("health: storage unreachable", error);
    return c.json({ status: "degraded", storage: "unreachable" }, 503);
  } finally {
    clearTimeout(timer);
  }
});
