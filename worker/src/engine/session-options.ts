/**
 * Turns a `start_session` frame into session options. Lenient on purpose: like the seed,
 * an invalid style, pack, difficulty or limit does not refuse the session; unlike the seed
 * it falls back to the default rather than to the previous session's value
 * (docs/decisions.md, Fix). Each setting given but not used as given is listed in `adjusted`,
 * which `session_started` passes on, so the client is told. `group` is validated at the edge
 * and is not handled here.
 */
import {
  DIFFICULTIES,
  DURATION_SECONDS_RANGE,
  MAX_QUESTIONS_RANGE,
  PACKS,
  STYLES,
  pythonInt,
  type Difficulty,
  type SessionAdjustment,
  type Pack,
  type Style,
} from "@interview/shared";
import { sanitizeCustomQuestions } from "./custom-questions.ts";

export const DEFAULT_STYLE: Style = "neutral";
export const DEFAULT_PACK: Pack = "swe_behavioral";
export const DEFAULT_DIFFICULTY: Difficulty = "standard";
/** Free-text fairness fields are kept short; they are labels, not essays. */
const FAIRNESS_FIELD_MAX_CHARS = 200;

export interface SessionOptions {
  style: Style;
  pack: Pack;
  difficulty: Difficulty;
  maxQuestions: number | null;
  durationSeconds: number | null;
  customQuestions: string[];
  consent: boolean;
  accent: string | null;
  notes: string | null;
  stream: boolean;
  /** The settings given but not used as given (unknown names, clamps); told to the client. */
  adjusted: SessionAdjustment[];
}

/** A given value echoed back, bounded so a huge frame is not mirrored. */
function echo(value: unknown): unknown {
  return typeof value === "string" && value.length > 100 ? `${value.slice(0, 100)}…` : value;
}

function choice<T extends string>(
  field: SessionAdjustment["field"],
  values: readonly T[],
  value: unknown,
  fallback: T,
  adjusted: SessionAdjustment[],
): T {
  const used = oneOf(values, value, fallback);
  if (value != null && used !== value) adjusted.push({ field, given: echo(value), used, reason: "unknown_value" });
  return used;
}

function limit(
  field: SessionAdjustment["field"],
  value: unknown,
  range: { min: number; max: number },
  adjusted: SessionAdjustment[],
): number | null {
  const used = clampedInt(value, range);
  if (value == null) return used;
  const given = echo(value);
  if (used === null) {
    adjusted.push({ field, given, used, reason: "not_an_integer" });
    return used;
  }
  const parsed = pythonInt.parse(value);
  if (parsed < range.min) adjusted.push({ field, given, used, reason: "below_minimum" });
  else if (parsed > range.max) adjusted.push({ field, given, used, reason: "above_maximum" });
  else if (typeof value === "number" && value !== parsed) adjusted.push({ field, given, used, reason: "truncated" });
  return used;
}

function oneOf<T extends string>(values: readonly T[], value: unknown, fallback: T): T {
  return typeof value === "string" && (values as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Python's int() then a clamp; anything int() would reject means "no limit". */
function clampedInt(value: unknown, range: { min: number; max: number }): number | null {
  if (typeof value === "boolean") return null;
  const parsed = pythonInt.safeParse(value);
  if (!parsed.success) return null;
  return Math.min(range.max, Math.max(range.min, parsed.data));
}

/**
 * Consent must be an explicit yes. The seed used Python truthiness, so the string "false"
 * counted as consent; for a study that is the wrong way to fail.
 */
function consentGiven(value: unknown): boolean {
  if (value === true || value === 1) return true;
  return typeof value === "string" && ["true", "yes", "1"].includes(value.trim().toLowerCase());
}

function fairnessField(value: unknown): string | null {
  if (value == null) return null;
  const text = (typeof value === "string" ? value : JSON.stringify(value)).trim();
  return text === "" ? null : text.slice(0, FAIRNESS_FIELD_MAX_CHARS);
}

export function sessionOptions(message: Record<string, unknown>): SessionOptions {
  const adjusted: SessionAdjustment[] = [];
  return {
    style: choice("style", STYLES, message.style, DEFAULT_STYLE, adjusted),
    pack: choice("pack", PACKS, message.pack, DEFAULT_PACK, adjusted),
    difficulty: choice("difficulty", DIFFICULTIES, message.difficulty, DEFAULT_DIFFICULTY, adjusted),
    maxQuestions: limit("maxQuestions", message.maxQuestions, MAX_QUESTIONS_RANGE, adjusted),
    durationSeconds: limit("durationSeconds", message.durationSeconds, DURATION_SECONDS_RANGE, adjusted),
    customQuestions: sanitizeCustomQuestions(message.customQuestions),
    consent: consentGiven(message.consent),
    accent: fairnessField(message.accent),
    notes: fairnessField(message.notes),
    stream: message.stream === true,
    adjusted,
  };
}
