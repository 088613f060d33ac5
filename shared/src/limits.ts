/** Numeric limits of the wire protocol, with the reason each exists. */

/** start_session.maxQuestions clamp (seed §1.3); counts answers, follow-ups included. */
export const MAX_QUESTIONS_RANGE = { min: 1, max: 50 } as const;
/** start_session.durationSeconds clamp (seed §1.3): 30 s to 3 h. */
export const DURATION_SECONDS_RANGE = { min: 30, max: 10_800 } as const;
/** Custom questions: at most 24 accepted items of at most 280 characters (seed §1.3). */
export const CUSTOM_QUESTIONS_MAX_ITEMS = 24;
export const CUSTOM_QUESTION_MAX_CHARS = 280;
/** Clarification truncation (seed §1.3, §9): prompt, candidate question, reply. */
export const CLARIFICATION_PROMPT_MAX_CHARS = 800;
export const CLARIFICATION_QUESTION_MAX_CHARS = 600;
export const CLARIFICATION_REPLY_MAX_CHARS = 1_400;
/** History pairs kept in state, and the pairs an LLM prompt sees (seed §9). */
export const HISTORY_PAIRS_KEPT = 4;
export const HISTORY_PAIRS_FOR_LLM = 3;
/** A WebSocket frame above this size is answered with `too_large` and not parsed. */
export const MAX_FRAME_BYTES = 64 * 1024;
/**
 * Flood control per socket: a token bucket of 20 frames refilled at 10 frames/s. A human
 * candidate sends a few frames a minute; a buggy client loop sends hundreds a second.
 */
export const RATE_LIMIT_BURST = 20;
export const RATE_LIMIT_PER_SECOND = 10;
/**
 * Answers, clarifications and style switches a session may send per minute (each makes the
 * interviewer model work); more are refused with `rate_limited` and `retryAfter`.
 */
export const MODEL_TURNS_PER_MINUTE = 12;
/**
 * The period of the per-address session start limit. The limit itself is the
 * `SESSION_STARTS` rate limiter's in wrangler.toml (20 per 60 s); this is the retry hint.
 */
export const SESSION_STARTS_PERIOD_SECONDS = 60;
/**
 * A telemetry frame's `data`, as JSON: client measurements are a few numbers; every stored
 * byte is kept with the session in the object and in D1, so one frame cannot bloat both.
 */
export const TELEMETRY_DATA_MAX_CHARS = 8_192;
/**
 * Records (answers, check-ins, telemetry: D1 rows) one session may store. An hour-long
 * interview writes a few hundred; the limit keeps a client that loops for hours (sessions may
 * set no question or time limit) from filling its interview object and D1. Beyond it nothing
 * more is stored for the session, and the client is told (`storage_full`).
 */
export const SESSION_RECORDS_MAX = 10_000;
/** A non-answer has at most this many words (docs/decisions.md, Fix). */
export const NON_ANSWER_MAX_WORDS = 24;
/** Check-in confidence and stress: integers on a 0..10 scale, over WebSocket and REST alike. */
export const CHECKIN_SCALE = { min: 0, max: 10 } as const;
