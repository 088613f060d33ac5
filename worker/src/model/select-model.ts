/**
 * Picks the interviewer model from configuration: NVIDIA chat completions when
 * `NVIDIA_API_KEY` is set, otherwise heuristics only. Called once per Durable Object
 * instance, so each interview reuses one client; the circuit breaker is the isolate's shared
 * one for the configured URL, backed by the fleet's ServiceHealth object (`health/`), so it
 * survives the object's eviction and knows about every interview's failures.
 */
import type { Env } from "../env.ts";
import { dependencyBreaker } from "../health/dependencies.ts";
import { heuristicsOnly, type InterviewerModel } from "./interviewer-model.ts";
import { nvidiaConfig } from "./nvidia/config.ts";
import { NvidiaInterviewer } from "./nvidia/nvidia-interviewer.ts";

export function selectInterviewerModel(env: Env): InterviewerModel {
  const config = nvidiaConfig(env);
  return config ? new NvidiaInterviewer(config, { breaker: dependencyBreaker(env, "nvidia", config.url) }) : heuristicsOnly;
}
