/**
 * NVIDIA chat-completions settings from the Worker's variables, with the seed's defaults
 * (docs/seed-behaviour.md §5.1, §9). Parsing is forgiving: a malformed timeout falls back to the
 * default instead of failing the interview.
 */
import type { Env } from "../../env.ts";

export const DEFAULT_NVIDIA_LLM_URL = "https://integrate.api.nvidia.com/v1/chat/completions";
export const DEFAULT_NVIDIA_LLM_MODEL = "meta/llama-4-maverick-17b-128e-instruct";
export const DEFAULT_NVIDIA_LLM_TIMEOUT_S = 12;
/** Bounds for NVIDIA_LLM_TIMEOUT: below 0.1 s nothing can answer, above 120 s a turn looks hung. */
const TIMEOUT_BOUNDS_S = { min: 0.1, max: 120 } as const;

export interface NvidiaConfig {
  apiKey: string;
  url: string;
  model: string;
  /** The per-turn deadline, in milliseconds. */
  timeoutMs: number;
}

/** Null when no key is set: the interview then runs on heuristics only. */
export function nvidiaConfig(env: Pick<Env, "NVIDIA_API_KEY" | "NVIDIA_LLM_MODEL" | "NVIDIA_LLM_URL" | "NVIDIA_LLM_TIMEOUT">): NvidiaConfig | null {
  const apiKey = env.NVIDIA_API_KEY?.trim();
  if (!apiKey) return null;
  return {
    apiKey,
    url: env.NVIDIA_LLM_URL?.trim() || DEFAULT_NVIDIA_LLM_URL,
    model: env.NVIDIA_LLM_MODEL?.trim() || DEFAULT_NVIDIA_LLM_MODEL,
    timeoutMs: Math.round(parseTimeoutSeconds(env.NVIDIA_LLM_TIMEOUT) * 1000),
  };
}

/** Seconds as a float ("12", "2.5", " 8 "); empty, non-numeric or non-positive → default; clamped. */
export function parseTimeoutSeconds(raw: string | undefined): number {
  const text = raw?.trim() ?? "";
  const value = text === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value <= 0) return DEFAULT_NVIDIA_LLM_TIMEOUT_S;
  return Math.min(TIMEOUT_BOUNDS_S.max, Math.max(TIMEOUT_BOUNDS_S.min, value));
}
