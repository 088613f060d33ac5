/**
 * The WebSocket protocol of `/ws/interview`, both directions, as zod schemas.
 *
 * Inbound frames are validated in two steps so that the seed's exact error strings survive
 * (docs/decisions.md, Keep): the envelope (JSON, object, string `type`, known `type`) first, then
 * the message's own schema. Field names and casing are the seed's (docs/seed-behaviour.md §1).
 *
 * `start_session` is deliberately lenient (an invalid style, pack, difficulty or limit falls
 * back to the default, as the seed does) except for `group`, which must be a real arm of
 * the study. Every other message is strict about the types of the fields it uses and
 * ignores unknown fields, so seed clients that send extras keep working.
 */
import * as z from "zod";
import { DIFFICULTIES, GROUPS, PACKS, STYLES, QUESTION_SOURCES, END_REASONS } from "./vocabulary.ts";
import type { ErrorCode } from "./errors.ts";
import { CHECKIN_SCALE, TELEMETRY_DATA_MAX_CHARS } from "./limits.ts";
import { ParticipantIdSchema } from "./participants.ts";
import { AudioOptionsSchema, type VoiceServerMessage } from "./voice.ts";
import type { ClientGroupOutcome, GroupAssignment } from "./vocabulary.ts";
import type { FeedbackOut, ReportOut, RubricOut } from "./feedback.ts";

/** Bumped when a change would break a client written for an earlier version. */
export const PROTOCOL_VERSION = 1;

const finiteNumber = z.number().refine(Number.isFinite, "must be a finite number");
const optionalMetric = finiteNumber.nullish();

/** Mirrors Python's int(): integers, truncated floats and integer strings; nothing else. */
export const pythonInt = z.union([
  finiteNumber.transform((n) => Math.trunc(n)),
  z
    .string()
    .regex(/^\s*[+-]?\d+\s*$/, "must be an integer")
    .transform((s) => Number.parseInt(s, 10)),
]);

/** An integer in [min, max] taken the way Python's int() takes it, with one clear message. */
export function pythonIntInRange(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (v) => {
      const parsed = pythonInt.safeParse(v);
      return parsed.success ? parsed.data : v;
    },
    z.number({ error: message }).int(message).min(min, message).max(max, message),
  );
}

export const StyleSchema = z.enum(STYLES);
export const GroupSchema = z.enum(GROUPS);
export const PackSchema = z.enum(PACKS);
export const DifficultySchema = z.enum(DIFFICULTIES);

/** Seed clients send `group: null` or omit it; both mean "let the server assign". */
const groupField = z.preprocess((v) => (v === "" ? null : v), GroupSchema.nullish());

export const StartSessionMessage = z.object({
  type: z.literal("start_session"),
  style: z.unknown().optional(),
  group: groupField,
  /**
   * The participant's id (from an earlier `session_started`, or given by the study); omit or
   * null to be issued one. An id the server never issued or registered is refused.
   */
  participantId: z.preprocess((v) => (v === "" ? null : v), ParticipantIdSchema.nullish()),
  pack: z.unknown().optional(),
  difficulty: z.unknown().optional(),
  maxQuestions: z.unknown().optional(),
  durationSeconds: z.unknown().optional(),
  customQuestions: z.unknown().optional(),
  consent: z.unknown().optional(),
  accent: z.unknown().optional(),
  notes: z.unknown().optional(),
  /** Opt-in: stream the interviewer's question as `interviewer_delta` frames first. */
  stream: z.boolean().optional(),
  /** Opt-in: voice on this socket (voice.ts): `input` spoken answers, `output` the interviewer's audio. */
  audio: AudioOptionsSchema.optional(),
});

export const AnswerMetricsSchema = z
  .object({
    speakingRate: optionalMetric,
    pauseRatio: optionalMetric,
    gaze: optionalMetric,
    fillers: optionalMetric,
  })
  .loose();
export type AnswerMetrics = {
  speakingRate?: number | null;
  pauseRatio?: number | null;
  gaze?: number | null;
  fillers?: number | null;
};

/**
 * Optional on the messages that change the interview: a message re-sent with an id the
 * session has already applied is acknowledged again (`ack` with `duplicate: true`) and not
 * applied twice, so a client can safely re-send after a reconnect.
 */
const clientMessageId = z.string().trim().min(1).max(64).optional();

export const UserAnswerMessage = z.object({
  type: z.literal("user_answer"),
  id: clientMessageId,
  answer: z.string().default(""),
  metrics: z.preprocess((v) => (v == null ? {} : v), AnswerMetricsSchema),
});

export const UserClarificationMessage = z.object({
  type: z.literal("user_clarification"),
  id: clientMessageId,
  question: z.unknown().optional(),
  clarification: z.unknown().optional(),
  text: z.unknown().optional(),
});

export const SwitchStyleMessage = z.object({
  type: z.literal("switch_style"),
  id: clientMessageId,
  style: StyleSchema,
});

export const CheckinMessage = z.object({
  type: z.literal("checkin"),
  id: clientMessageId,
  group: groupField,
  confidence: pythonIntInRange(CHECKIN_SCALE.min, CHECKIN_SCALE.max).default(0),
  stress: pythonIntInRange(CHECKIN_SCALE.min, CHECKIN_SCALE.max).default(0),
});

export const TelemetryMessage = z.object({
  type: z.literal("telemetry"),
  event: z.string().trim().min(1).max(64).default("unknown"),
  latencyMs: finiteNumber.nullish(),
  data: z
    .unknown()
    .optional()
    .refine((data) => data === undefined || JSON.stringify(data).length <= TELEMETRY_DATA_MAX_CHARS, {
      message: `must be at most ${TELEMETRY_DATA_MAX_CHARS} characters of JSON`,
    }),
});

export const PingMessage = z.object({ type: z.literal("ping") });

export const ClientMessage = z.discriminatedUnion("type", [
  StartSessionMessage,
  UserAnswerMessage,
  UserClarificationMessage,
  SwitchStyleMessage,
  CheckinMessage,
  TelemetryMessage,
  PingMessage,
]);
export type ClientMessage = z.output<typeof ClientMessage>;
export type ClientMessageType = ClientMessage["type"];
export const CLIENT_MESSAGE_TYPES: readonly ClientMessageType[] = ClientMessage.options.map(
  (o) => o.shape.type.value,
);

/** Messages that need a started session (docs/decisions.md, Fix: `no_session`). */
export const SESSION_BOUND_TYPES: ReadonlySet<ClientMessageType> = new Set([
  "user_answer",
  "user_clarification",
  "switch_style",
  "checkin",
  "telemetry",
]);

// ---------------------------------------------------------------------------------------
// Server -> client. Types only: the server builds these, tests and clients read them.

type Style = (typeof STYLES)[number];
type Group = (typeof GROUPS)[number];

export interface SessionReady {
  type: "session_ready";
  session_id: string;
  style: Style;
  protocol: number;
}
export interface SessionSnapshot {
  session_id: string;
  style: Style;
  turn: number;
  group: Group;
  consent: boolean;
  pack: (typeof PACKS)[number];
  difficulty: (typeof DIFFICULTIES)[number];
  maxQuestions: number | null;
  durationSeconds: number | null;
  customQuestionCount: number;
}
/** Why a `start_session` setting was not used as given. */
export const ADJUSTMENT_REASONS = ["unknown_value", "not_an_integer", "below_minimum", "above_maximum", "truncated"] as const;
/**
 * One `start_session` setting the server did not use as given: `unknown_value` (a style,
 * pack or difficulty it does not know: the default is used), `not_an_integer` (a limit that is
 * no whole number: no limit), `below_minimum`/`above_maximum` (clamped into the range),
 * `truncated` (a fractional limit cut to its whole part).
 */
export interface SessionAdjustment {
  field: "style" | "pack" | "difficulty" | "maxQuestions" | "durationSeconds";
  given: unknown;
  used: string | number | null;
  reason: (typeof ADJUSTMENT_REASONS)[number];
}
export interface SessionStarted extends SessionSnapshot {
  type: "session_started";
  /** The settings that were clamped or defaulted; empty when every setting was used as given. */
  adjusted: SessionAdjustment[];
  /** Bearer secret for resuming this session and for its own HTTP calls. */
  resumeToken: string;
  /** How the participant's arm was decided: "server" (randomised), "client" (named by a client where allowed), "admin" (fixed by the study). */
  groupAssignment: GroupAssignment;
  /** The participant this session belongs to; present it in later `start_session`s to keep the arm. */
  participantId: string;
  /** What became of the `group` the client named (null: it named none). */
  clientGroup: ClientGroupOutcome | null;
}
export interface QuestionOut {
  type: "question";
  turn: number;
  question: string;
  style: Style;
  source: (typeof QUESTION_SOURCES)[number];
  preface: string | null;
}
/** Everything `session_started` said except the resume token, which the client already holds. */
export interface SessionResumed extends SessionSnapshot {
  type: "session_resumed";
  groupAssignment: GroupAssignment;
  /** The question the candidate should answer now, or null before the first one. */
  question: QuestionOut | null;
  awaitingFollowUp: boolean;
  /** Seconds left before the time limit, or null without one. */
  secondsLeft: number | null;
  /** The `seq` of the session's latest message; with `?lastSeq=N` every message after N follows. */
  lastSeq: number;
}
export interface Tip {
  summary: string;
  detail: string;
}
export interface TipsOut {
  type: "tips";
  turn: number;
  items: Tip[];
}
export interface InterviewerMessageOut {
  type: "interviewer_message";
  turn: number;
  style: Style;
  message: string;
}
export interface InterviewerDeltaOut {
  type: "interviewer_delta";
  turn: number;
  delta: string;
}
export interface ClarificationOut {
  type: "clarification";
  turn: number;
  style: Style;
  message: string;
  source: "llm" | "guardrail" | "fallback";
}
export interface StyleSwitchedOut {
  type: "style_switched";
  style: Style;
}
export interface CheckinLoggedOut {
  type: "checkin_logged";
}
export interface PongOut {
  type: "pong";
}
export interface SessionEndedOut {
  type: "session_ended";
  session_id: string;
  turn: number;
  reason: (typeof END_REASONS)[number];
  message: string;
}
export interface ErrorOut {
  type: "error";
  code: ErrorCode;
  message: string;
  /** Seconds to wait before trying again (`rate_limited`). */
  retryAfter?: number;
}

/** The answer to a client message that carried an `id`, before that message's own replies. */
export interface AckOut {
  type: "ack";
  id: string;
  /** True when the id was applied before: the message was not applied again. */
  duplicate: boolean;
}

/**
 * Every message of a session, from `session_started` on, carries `seq` (1, 2, 3, ... per
 * session, no gaps), except `session_resumed` (it belongs to one connection and carries the
 * latest `seq` instead) and the connection-level messages a session has no record of:
 * `interviewer_delta` (its `question` follows with the whole text) and the `error`s about a
 * frame that never reached the interview (malformed, too large, flooding).
 */
export type ServerMessage = (
  | SessionReady
  | SessionStarted
  | SessionResumed
  | QuestionOut
  | TipsOut
  | FeedbackOut
  | RubricOut
  | ReportOut
  | InterviewerMessageOut
  | InterviewerDeltaOut
  | ClarificationOut
  | StyleSwitchedOut
  | CheckinLoggedOut
  | PongOut
  | SessionEndedOut
  | AckOut
  | ErrorOut
  | VoiceServerMessage
) & { seq?: number };
