/**
 * `GET /health`: what is wrong, if anything, for a monitor and for an operator.
 *
 * Anyone gets one word per part, no internal text:
 * `{"status","storage","model","speech"}` where storage is `ok` | `unreachable` (D1 did not
 * answer a trivial query within 2 s), model is `off` (no NVIDIA_API_KEY: heuristics only) |
 * `ok` | `failing` (its circuit is open or probing) | `unknown` (the health object did not
 * answer), and speech is `off` (no SPEECH_WORKER_URL) | `ok` | `failing` (every speech worker
 * is) | `partial` (some are) | `unknown`.
 *
 * Status 503 `degraded` when storage is unreachable: interviews still run and keep their
 * records in the Durable Objects' outboxes, but REST reads and HTTP check-ins fail until D1 is
 * back, so a monitor should page on it. A failing model or speech worker is 200 `degraded`:
 * interviews go on (heuristics answer; voice routes answer 503 until it is back).
 *
 * With `Authorization: Bearer <ADMIN_TOKEN>` the reply adds `detail`: the storage error and
 * probe time, each dependency's breaker (state, failures, retry time) and call counters, each
 * speech worker's own `/health` (models loaded, execution provider: `cuda` on a GPU), and the
 * fleet's replication backlog. A wrong token is 403 and a malformed header 401, as on the
 * admin routes; the route itself is `public`.
 */
import { Hono } from "hono";
import { errorBody } from "@interview/shared";
import type { Env } from "../env.ts";
import { access, type AccessEnv } from "./access-policy.ts";
import { researchDb } from "../storage/db.ts";
import { ping } from "../storage/reads.ts";
import { adminVerdict } from "../ops/admin-only.ts";
import { dependencyStatuses, messageOf, replicationStatus, withTimeout, type DependencyStatus } from "../ops/dependency-status.ts";

/** Long enough for a cold D1 round trip, short enough for a health probe. */
const STORAGE_PROBE_TIMEOUT_MS = 2_000;
/** A speech worker's own /health, asked only for the admin's detail. */
const SPEECH_HEALTH_TIMEOUT_MS = 2_000;

type PartState = "off" | "ok" | "failing" | "partial" | "unknown";

export const health = new Hono<AccessEnv>().get("/health", access("public"), async function healthCheck(c) {
  const authorization = c.req.header("Authorization");
  const verdict = authorization === undefined ? null : await adminVerdict(c.env, authorization);
  if (verdict !== null && verdict !== "admin") {
    const status = verdict === "malformed" ? 401 : verdict === "not_configured" ? 503 : 403;
    const message = verdict === "not_configured" ? "ADMIN_TOKEN is not configured on this server." : "Only the admin token opens the health detail.";
    return c.json(errorBody(status === 503 ? "unavailable" : status === 401 ? "unauthorized" : "forbidden", message), status);
  }
  const [storage, dependencies] = await Promise.all([probeStorage(c.env), dependencyStatuses(c.env)]);
  const model = dependencies.filter((d) => d.dependency === "nvidia");
  const speech = dependencies.filter((d) => d.dependency === "speech");
  const body = {
    status: storage.ok && partState(model) !== "failing" && !["failing", "partial"].includes(partState(speech)) ? "ok" : "degraded",
    storage: storage.ok ? "ok" : "unreachable",
    model: partState(model),
    speech: partState(speech),
  };
  if (!storage.ok) console.warn(JSON.stringify({ event: "health_storage_unreachable", error: storage.error }));
  const status = storage.ok ? 200 : 503;
  if (verdict !== "admin") return c.json(body, status);
  return c.json({ ...body, detail: await detail(c.env, storage, model, speech) }, status);
});

function partState(parts: DependencyStatus[]): PartState {
  if (parts.length === 0) return "off";
  if (parts.some((p) => p.breaker === null)) return "unknown";
  const failing = parts.filter((p) => p.breaker!.state !== "closed").length;
  if (failing === 0) return "ok";
  return failing === parts.length ? "failing" : "partial";
}

interface StorageProbe {
  ok: boolean;
  ms: number;
  error: string | null;
}

async function probeStorage(env: Env): Promise<StorageProbe> {
  const started = Date.now();
  try {
    await withTimeout(ping(researchDb(env)), STORAGE_PROBE_TIMEOUT_MS);
    return { ok: true, ms: Date.now() - started, error: null };
  } catch (error) {
    return { ok: false, ms: Date.now() - started, error: messageOf(error) };
  }
}

async function detail(env: Env, storage: StorageProbe, model: DependencyStatus[], speech: DependencyStatus[]) {
  const [workers, replication] = await Promise.all([Promise.all(speech.map((s) => speechWorkerHealth(s))), replicationStatus(env)]);
  return {
    storage,
    model: model[0] ?? null,
    speech: workers,
    replication,
  };
}

/** A speech worker's breaker and counters, plus what its own `/health` says right now. */
async function speechWorkerHealth(status: DependencyStatus) {
  const root = status.endpoint.replace(/\/v1$/, "");
  try {
    const response = await withTimeout(fetch(`${root}/health`), SPEECH_HEALTH_TIMEOUT_MS);
    const text = await response.text();
    let reported: unknown = text.slice(0, 500);
    try {
      reported = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's page): shown as the start of the text.
    }
    return { ...status, worker: { httpStatus: response.status, health: reported } };
  } catch (error) {
    return { ...status, worker: { httpStatus: null, error: messageOf(error) } };
  }
}
