/**
 * The closed vocabularies of the interview: styles, groups, packs, difficulties, and the
 * telemetry events only the server may write. Both the Worker and researchers' tools read
 * these, so they live in one place.
 */
export const STYLES = ["supportive", "neutral", "cold"] as const;
export type Style = (typeof STYLES)[number];

export const GROUPS = ["control", "treatment"] as const;
export type Group = (typeof GROUPS)[number];

/**
 * How a participant's arm was decided: `server` (block randomisation), `client` (the client
 * named it, only where `ALLOW_CLIENT_GROUP` is on), `admin` (fixed by the study's own system
 * through `POST /participants`). Every session of a participant carries its arm's origin.
 */
export const GROUP_ASSIGNMENTS = ["server", "client", "admin"] as const;
export type GroupAssignment = (typeof GROUP_ASSIGNMENTS)[number];

/**
 * What became of a `group` named in `start_session` (`session_started.clientGroup`; null when
 * none was named): `used` (allowed, and it became the participant's arm), `not_allowed` (the
 * deployment does not take client groups; the server assigned one), `participant_has_arm` (the
 * participant's arm was decided before and is kept).
 */
export const CLIENT_GROUP_OUTCOMES = ["used", "not_allowed", "participant_has_arm"] as const;
export type ClientGroupOutcome = (typeof CLIENT_GROUP_OUTCOMES)[number];

export const PACKS = ["swe_behavioral", "swe_system_design", "data_science_ml", "leadership"] as const;
export type Pack = (typeof PACKS)[number];

export const DIFFICULTIES = ["standard", "hard"] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];

export const QUESTION_SOURCES = ["custom", "llm", "fallback", "follow_up"] as const;
export type QuestionSource = (typeof QUESTION_SOURCES)[number];

export const END_REASONS = ["max_questions", "time_limit"] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Telemetry events the server writes itself. A client frame naming one of these is refused
 * so that the experiment's metrics cannot be spoofed (docs/decisions.md, Fix). `turn_latency`
 * and `llm_call` are this project's server-side measurements.
 */
export const RESERVED_TELEMETRY_EVENTS = [
  "session_meta",
  "question",
  "tips",
  "clarification",
  "session_end",
  "stt",
  "comment",
  "assignment",
  "turn_latency",
  "llm_call",
  "turn_timing",
  "question_heard",
] as const;
export type ReservedTelemetryEvent = (typeof RESERVED_TELEMETRY_EVENTS)[number];

/** Case and surrounding space do not make a reserved name the client's: "Session_End " is refused too. */
export function isReservedTelemetryEvent(event: string): boolean {
  return (RESERVED_TELEMETRY_EVENTS as readonly string[]).includes(event.trim().toLowerCase());
}

/** Text-to-speech speed per style (seed §2.1), used by the orchestrator's /tts. */
export const TTS_SPEED_BY_STYLE: Record<Style, number> = { supportive: 1.06, neutral: 1.0, cold: 0.94 };
