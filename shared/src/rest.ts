/**
 * Request schemas of the REST routes (docs/seed-behaviour.md §6 as amended by docs/decisions.md). The
 * Worker validates with them; researchers' tools may reuse them. Field names are the seed's.
 */
import * as z from "zod";
import { GroupSchema, PackSchema, StyleSchema, pythonIntInRange as intInRange } from "./protocol.ts";
import { CHECKIN_SCALE } from "./limits.ts";
import { ParticipantIdSchema } from "./participants.ts";

const sessionId = z.string({ error: "must be a string" }).trim().min(1, "is required").max(100, "is too long");

/** `POST /checkins`. Unlike the seed, values must be 0..10 integers (int-like strings allowed). */
export const CheckinBody = z.object({
  sessionId,
  group: z.preprocess((v) => (v === "" ? null : v), GroupSchema.nullish()),
  confidence: intInRange(CHECKIN_SCALE.min, CHECKIN_SCALE.max),
  stress: intInRange(CHECKIN_SCALE.min, CHECKIN_SCALE.max),
});
export type CheckinBody = z.infer<typeof CheckinBody>;

/** `POST /comments`. */
export const CommentBody = z.object({
  sessionId,
  turn: intInRange(0, 10_000),
  text: z.string().trim().min(1, "is required").max(4000, "is too long (max 4000)"),
  author: z.string().trim().max(200).nullish(),
  kind: z.enum(["comment", "assignment"], { error: "must be comment or assignment" }).default("comment"),
});
export type CommentBody = z.infer<typeof CommentBody>;

/** `GET /sessions?limit=`: clamped to 1..100 like the seed; default 20. */
export const SESSIONS_LIMIT_MAX = 100;
const limitMessage = `must be a whole number from 1 to ${SESSIONS_LIMIT_MAX} (values outside are clamped; default 20)`;
const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 date or date-time")
  .transform((s) => Date.parse(s));

const queryFlag = z
  .enum(["true", "false", "1", "0"], { error: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

/**
 * `GET /metrics/summary` filters: sessions started in [from, to), by pack and starting style;
 * `excludeClientAssigned=true` leaves out the sessions whose arm a client chose.
 */
export const MetricsQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  pack: PackSchema.optional(),
  style: StyleSchema.optional(),
  excludeClientAssigned: queryFlag.default(false),
});
export type MetricsQuery = z.infer<typeof MetricsQuery>;

/**
 * `GET /sessions` paging: `next` of one page, passed back as `before`, continues after its last
 * row (newest first; rows added meanwhile do not shift the pages). Shape `<createdAtMs>:<id>`;
 * clients treat it as opaque.
 */
const sessionsCursor = z
  .string({ error: "must be the `next` of an earlier page" })
  .regex(/^\d{1,15}:.{1,100}$/, "must be the `next` of an earlier page")
  .transform((s) => {
    const at = s.indexOf(":");
    return { createdAt: Number(s.slice(0, at)), id: s.slice(at + 1) };
  });

/**
 * `GET /sessions`: newest first, `limit` a page. The filters are the study's (`from`, `to`,
 * `pack`, `style`, `excludeClientAssigned`, as `/metrics/summary`), so the list shows the
 * sessions behind the figures, plus the list's own: `group`, `participantId`, `consented`.
 */
export const SessionsQuery = MetricsQuery.extend({
  limit: z.coerce
    .number({ error: limitMessage })
    .int(limitMessage)
    .default(20)
    .transform((n) => Math.min(SESSIONS_LIMIT_MAX, Math.max(1, n))),
  group: GroupSchema.optional(),
  participantId: ParticipantIdSchema.optional(),
  consented: queryFlag.optional(),
  before: sessionsCursor.optional(),
});
export type SessionsQuery = z.infer<typeof SessionsQuery>;

export const SessionIdParam = z.object({ id: sessionId });

/**
 * The Worker's speech limits: 10 MiB uploads (a 10-minute Opus answer is about 2-3 MB; OpenAI
 * and the speech worker allow 25 MiB, more than an interview answer needs), and OpenAI's 4096
 * characters of speech.
 */
export const SPEECH_LIMITS = { maxUploadBytes: 10 * 1024 * 1024, maxTtsChars: 4096 } as const;

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const language = z.preprocess(
  blankToUndefined,
  z
    .string({ error: "must be a string" })
    .trim()
    .toLowerCase()
    .regex(/^[a-z]{2,3}$/, "must be an ISO-639-1 code such as en")
    .default("en"),
);

/** `POST /stt` form fields besides `file` (seed §8.1): `sessionId` optional, `language` default `en`. */
export const SttFields = z.object({
  sessionId: z.preprocess(blankToUndefined, sessionId.optional()),
  language,
});
export type SttFields = z.infer<typeof SttFields>;

/**
 * `POST /sessions/:id/answers/audio` form fields besides `file`. `turn` (required) is the
 * `turn` of the question being answered, as the socket's `question` frame gave it: an answer
 * for any other turn (a retried upload, or a typed answer that got there first) is refused.
 * `gaze` is the client's own 0..100 measure.
 */
export const AudioAnswerFields = z.object({
  language,
  turn: z.preprocess(
    blankToUndefined,
    z
      .string({ error: "is required (the turn of the question being answered)" })
      .trim()
      .regex(/^\d{1,6}$/, "must be a whole number")
      .transform(Number),
  ),
  gaze: z.preprocess(blankToUndefined, z.coerce.number({ error: "must be a number" }).min(0).max(100).optional()),
});
export type AudioAnswerFields = z.infer<typeof AudioAnswerFields>;

/**
 * `POST /tts` (seed §8.2). `style` is free text as in the seed: an unknown style speaks at 1.0.
 * `sessionId` (added) names the session whose resume token authorises the call.
 */
export const TtsBody = z.object({
  text: z
    .string({ error: "is required" })
    .refine((t) => t.trim().length > 0, "is empty")
    .refine((t) => t.length <= SPEECH_LIMITS.maxTtsChars, `is too long (max ${SPEECH_LIMITS.maxTtsChars} characters)`),
  style: z.string().max(40).nullish(),
  speaker: z.preprocess(blankToUndefined, z.string().trim().max(100).nullish()),
  language: z.preprocess(blankToUndefined, z.string().trim().max(16).nullish()),
  sessionId: z.preprocess(blankToUndefined, sessionId.optional()),
});
export type TtsBody = z.infer<typeof TtsBody>;

/**
 * `POST /participants` (admin): registers a participant for a study's own system. Without
 * `participantId` the server issues one; with `group` the arm is fixed now, without it the arm
 * is drawn at the participant's first session. Idempotent for a named id.
 */
export const ParticipantBody = z.object({
  participantId: z.preprocess(blankToUndefined, ParticipantIdSchema.optional()),
  group: z.preprocess((v) => (v === "" ? null : v), GroupSchema.nullish()),
});
export type ParticipantBody = z.infer<typeof ParticipantBody>;

export const ParticipantIdParam = z.object({ id: ParticipantIdSchema });
