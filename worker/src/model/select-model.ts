/**
 * Picks the interviewer model from configuration: NVIDIA chat completions when
 * `NVIDIA_API_KEY` is set, otherwise heuristics only. Called once per Durable Object
 * instance, so each interview reuses one client and one circuit breaker.
 */
import type { Env } from "../env.ts";
import { heuristicsOnly, type InterviewerModel } from "./interviewer-model.ts";
import { nvidiaConfig } from "./nvidia/config.ts";
import { NvidiaInterviewer } from "./nvidia/nvidia-interviewer.ts";

export function selectInterviewerModel(env: Env): InterviewerModel {
  const config = nvidiaConfig(env);
  return config ? new NvidiaInterviewer(config) : heuristicsOnly;
}
