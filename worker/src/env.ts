/**
 * The Worker's bindings and variables, typed once. Every variable is documented in
 * `.dev.vars.example` and the README.
 */
import type { InterviewSession } from "./durable/interview-session.ts";
import type { GroupAssigner } from "./durable/group-assigner.ts";
import type { Participant } from "./durable/participant.ts";
import type { ServiceHealth } from "./health/service-health.ts";

export interface Env {
  INTERVIEW: DurableObjectNamespace<InterviewSession>;
  GROUP_ASSIGNER: DurableObjectNamespace<GroupAssigner>;
  /** The participant registry: one object per participant id, holding its arm (durable/participant.ts). */
  PARTICIPANT: DurableObjectNamespace<Participant>;
  DB: D1Database;
  /** The fleet's dependency health (health/service-health.ts); absent, each isolate's breakers work alone. */
  SERVICE_HEALTH?: DurableObjectNamespace<ServiceHealth>;
  /** Session starts per client address (wrangler.toml `[[ratelimits]]`). */
  SESSION_STARTS?: RateLimit;
  /** "off" turns off every limit (starts, model turns per minute, the per-socket flood limit): local benchmarks only. */
  RATE_LIMITS?: string;
  /** "development" relaxes auth for token-less seed clients; anything else is production. */
  ENVIRONMENT?: string;
  /** "true": a group named in `start_session` may become a new participant's arm (recorded as `client`). Default off, in every environment. */
  ALLOW_CLIENT_GROUP?: string;
  /** "true": only participants the registry knows may start; the server issues no new ids. Default off. */
  REQUIRE_REGISTERED_PARTICIPANT?: string;
  ADMIN_TOKEN?: string;
  CORS_ORIGINS?: string;
  NVIDIA_API_KEY?: string;
  NVIDIA_LLM_MODEL?: string;
  NVIDIA_LLM_URL?: string;
  NVIDIA_LLM_TIMEOUT?: string;
  SPEECH_WORKER_URL?: string;
  SPEECH_API_KEY?: string;
}

export type AppEnv = { Bindings: Env };

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
