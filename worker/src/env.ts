/**
 * The Worker's bindings and variables, typed once. The bindings and [vars] come from
 * `wrangler.toml` through `wrangler types` (worker-configuration.d.ts, `npm run types`; CI
 * checks it is in sync); what wrangler.toml cannot declare (secrets, optional settings) is
 * written here. Every variable is documented in `.dev.vars.example` and the README, and
 * validated on an isolate's first request (ops/settings.ts).
 */
import type { RequestIdVariables } from "hono/request-id";
import type { Settings } from "./settings-types.ts";

export type { Settings };

/**
 * What tests and benches may leave out: the fleet's health objects (each isolate's breakers
 * then work alone), the start limiter, the operator figures' dataset; and the two [vars],
 * optional for a caller that builds its own bindings.
 */
type Optional = "SERVICE_HEALTH" | "SESSION_STARTS" | "OPS_FIGURES" | "ENVIRONMENT" | "ALLOW_CLIENT_GROUP";

// `keyof Settings` too: a setting later moved into [vars] stays an optional string here.
export interface Env extends Omit<Cloudflare.Env, Optional | keyof Settings>, Settings {
  /** The fleet's dependency health (health/service-health.ts); absent, each isolate's breakers work alone. */
  SERVICE_HEALTH?: Cloudflare.Env["SERVICE_HEALTH"];
  /** Session starts per client address (wrangler.toml `[[ratelimits]]`). */
  SESSION_STARTS?: RateLimit;
  /** Operator figures (wrangler.toml `[[analytics_engine_datasets]]`, ops/figures.ts); absent, none are written. */
  OPS_FIGURES?: AnalyticsEngineDataset;
}

/** `requestId`: set for every request by ops/request-log.ts. */
export type AppEnv = { Bindings: Env; Variables: RequestIdVariables };

export function isDevelopment(env: Env): boolean {
  return env.ENVIRONMENT === "development";
}

/** Whether a client-named group may decide a participant's arm (`ALLOW_CLIENT_GROUP=true`); off unless set. */
export function allowsClientGroup(env: Env): boolean {
  return env.ALLOW_CLIENT_GROUP?.trim().toLowerCase() === "true";
}

/** Whether a start must present a participant id the registry knows (`REQUIRE_REGISTERED_PARTICIPANT=true`). */
export function requiresRegisteredParticipant(env: Env): boolean {
  return env.REQUIRE_REGISTERED_PARTICIPANT?.trim().toLowerCase() === "true";
}
