/**
 * The variables `wrangler.toml` does not declare (secrets and optional settings), plus the two
 * [vars] as optional strings. A separate module with no imports, so the global declarations
 * (worker-globals.d.ts) can add it to `Cloudflare.Env` without a cycle through `env.ts`.
 */
export interface Settings {
  /** "development" relaxes auth for token-less seed clients; "test", "staging", "production" do not. */
  ENVIRONMENT?: string;
  /** "true": a group named in `start_session` may become a new participant's arm (recorded as `client`). Default off, in every environment. */
  ALLOW_CLIENT_GROUP?: string;
  /** "true": only participants the registry knows may start; the server issues no new ids. Default off. */
  REQUIRE_REGISTERED_PARTICIPANT?: string;
  /** "off" turns off every limit (starts, model turns per minute, the per-socket flood limit): local benchmarks only. */
  RATE_LIMITS?: string;
  ADMIN_TOKEN?: string;
  CORS_ORIGINS?: string;
  NVIDIA_API_KEY?: string;
  NVIDIA_LLM_MODEL?: string;
  NVIDIA_LLM_URL?: string;
  NVIDIA_LLM_TIMEOUT?: string;
  SPEECH_WORKER_URL?: string;
  SPEECH_API_KEY?: string;
  /** "seed": tips follow the seed's exact rules; unset or "evidence": tips chosen from the coach's analysis (README, Coaching). */
  COACH?: string;
  /** "off": no rubric call per answer even with NVIDIA_API_KEY (README, Coaching: "With the model"); default on. */
  COACH_RUBRIC?: string;
}
