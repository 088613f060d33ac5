/**
 * A cap on the messages that make the interviewer model work (answers, clarifications,
 * style switches) per session per minute. A candidate speaks a few answers a minute; a
 * script sending hundreds would otherwise drive two model calls each. The window slides over
 * the last 60 s of accepted messages, kept in the state so eviction does not reset it.
 */
import type { SessionState } from "./types.ts";

export const TURN_CAP_WINDOW_MS = 60_000;

/** Seconds until one more model turn is allowed, or null when it is allowed now. */
export function turnCapWait(s: SessionState, now: number): number | null {
  const cap = s.turnCap ?? null;
  if (cap === null) return null;
  const recent = (s.recentTurns ?? []).filter((t) => now - t < TURN_CAP_WINDOW_MS);
  if (recent.length < cap) return null;
  const oldest = recent[recent.length - cap]!;
  return Math.max(1, Math.ceil((oldest + TURN_CAP_WINDOW_MS - now) / 1000));
}

/** Counts an accepted model turn; keeps only what the window still needs. */
export function countTurn(s: SessionState, now: number): void {
  const cap = s.turnCap ?? null;
  if (cap === null) return;
  s.recentTurns = [...(s.recentTurns ?? []).filter((t) => now - t < TURN_CAP_WINDOW_MS), now].slice(-cap);
}
