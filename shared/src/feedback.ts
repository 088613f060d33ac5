/**
 * The `feedback` message: what the coach found in one answer, every finding with its
 * evidence (README, protocol: `feedback`). Sent after `tips` for every answer. The engine's
 * and the Worker's tests check every message they see against this schema (a seeded property
 * test among them); clients may parse with it too.
 */
import * as z from "zod";

const offset = z.number().int().min(0);
export const SpanSchema = z.object({ from: offset, to: offset }).refine((s) => s.to >= s.from, "to must not be before from");
export const FoundSchema = z.object({ from: offset, to: offset, text: z.string() });

const StarPartSchema = z.object({ present: z.boolean(), evidence: z.array(SpanSchema) });

export const FeedbackContentSchema = z.object({
  words: z.number().int().min(0),
  star: z.object({ situation: StarPartSchema, task: StarPartSchema, action: StarPartSchema, result: StarPartSchema }),
  specificity: z.object({ numbers: z.array(FoundSchema), names: z.array(FoundSchema), timeFrames: z.array(FoundSchema) }),
  ownership: z.object({ singular: z.array(FoundSchema), plural: z.array(FoundSchema) }),
  hedges: z.array(FoundSchema),
  repeats: z.array(z.object({ phrase: z.string(), spans: z.array(SpanSchema).min(2) })),
  relevance: z.object({ score: z.number().min(0).max(1), keywords: z.array(z.string()), tied: z.array(FoundSchema) }),
});

const seconds = z.number().min(0);
export const FeedbackDeliverySchema = z.object({
  words: z.number().int().min(0),
  spokenSeconds: seconds,
  wpm: z.number().min(0),
  wpmExcludingPauses: z.number().min(0),
  band: z.enum(["slow", "conversational", "fast"]),
  bands: z.object({ slowBelow: z.number(), fastAbove: z.number() }),
  longPauseSeconds: seconds,
  fillersPer100Words: z.number().min(0),
  fillers: z.array(z.object({ text: z.string(), at: seconds })),
  longestPause: z.object({ at: seconds, seconds }).nullable(),
  pace: z.array(z.object({ start: seconds, end: seconds, words: z.number().int().min(0), wpm: z.number().min(0) })),
});

export const FeedbackMessageSchema = z.object({
  type: z.literal("feedback"),
  turn: z.number().int().min(1),
  content: FeedbackContentSchema,
  delivery: FeedbackDeliverySchema.nullable(),
  seq: z.number().int().optional(),
});
export type FeedbackOut = z.infer<typeof FeedbackMessageSchema>;

// ---------------------------------------------------------------------------------------
// The model's rubric (README, protocol: `feedback_rubric`): sent after the turn's `feedback`
// when the model's reply was valid, never instead of it. Each criterion is scored 1-5 with a
// quote from the answer; a criterion whose quote does not occur in the answer is null.

export const RUBRIC_CRITERIA = ["situation", "task", "action", "result", "relevance", "specificity"] as const;
export type RubricCriterion = (typeof RUBRIC_CRITERIA)[number];

export const RubricItemSchema = z.object({
  score: z.number().int().min(1).max(5),
  /** The answer's own words the score rests on: `answer.slice(evidence.from, evidence.to)`. */
  quote: z.string().min(1),
  evidence: SpanSchema,
});
export type RubricItem = z.infer<typeof RubricItemSchema>;

export const RubricScoresSchema = z.object(
  Object.fromEntries(RUBRIC_CRITERIA.map((c) => [c, RubricItemSchema.nullable()])) as Record<RubricCriterion, z.ZodNullable<typeof RubricItemSchema>>,
);
export type RubricScores = z.infer<typeof RubricScoresSchema>;

export const RubricMessageSchema = z.object({
  type: z.literal("feedback_rubric"),
  turn: z.number().int().min(1),
  /** Always "model": the heuristics' findings are the turn's `feedback`. */
  source: z.literal("model"),
  /** The model that scored the answer (NVIDIA_LLM_MODEL). */
  model: z.string(),
  scores: RubricScoresSchema,
  seq: z.number().int().optional(),
});
export type RubricOut = z.infer<typeof RubricMessageSchema>;
export type FeedbackContent = z.infer<typeof FeedbackContentSchema>;
export type FeedbackDelivery = z.infer<typeof FeedbackDeliverySchema>;

// ---------------------------------------------------------------------------------------
// The end-of-session report (README, protocol: `report`; GET /sessions/:id/report).

const StarScoreSchema = z.object({ present: z.boolean(), quotes: z.array(z.string()) });

/** One answer's coaching scores, with short quotes as evidence (the whole answer is not repeated). */
export const AnswerScoreSchema = z.object({
  turn: z.number().int().min(1),
  question: z.string(),
  words: z.number().int().min(0),
  star: z.object({ situation: StarScoreSchema, task: StarScoreSchema, action: StarScoreSchema, result: StarScoreSchema }),
  /** STAR parts present, 0..4. */
  starScore: z.number().int().min(0).max(4),
  numbers: z.array(z.string()),
  names: z.number().int().min(0),
  singular: z.number().int().min(0),
  plural: z.number().int().min(0),
  hedges: z.array(z.string()),
  relevance: z.number().min(0).max(1),
  wpm: z.number().min(0).nullable(),
  fillersPer100Words: z.number().min(0).nullable(),
  /** The model's rubric scores (1-5) and quotes, when its rubric call for this answer succeeded. */
  rubric: z
    .partialRecord(z.enum(RUBRIC_CRITERIA), z.object({ score: z.number().int().min(1).max(5), quote: z.string() }))
    .optional(),
});
export type AnswerScore = z.infer<typeof AnswerScoreSchema>;

const turns = z.array(z.number().int().min(1));
export const ReportPointSchema = z.object({ text: z.string(), turns });
export const ReportTrendSchema = z.object({ measure: z.string(), from: z.number(), to: z.number(), earlyTurns: turns, lateTurns: turns });
const averages = z.object({
  starScore: z.number().nullable(),
  numbers: z.number().nullable(),
  relevance: z.number().nullable(),
  hedges: z.number().nullable(),
});
export const ReportEarlierSchema = z.object({
  sessions: z.number().int().min(1),
  earlier: averages,
  thisSession: averages,
});

export const ReportMessageSchema = z.object({
  type: z.literal("report"),
  session_id: z.string(),
  answers: z.array(AnswerScoreSchema),
  improved: z.array(ReportTrendSchema),
  notImproved: z.array(ReportTrendSchema),
  strengths: z.array(ReportPointSchema).max(3),
  practise: z.array(ReportPointSchema).max(3),
  earlier: ReportEarlierSchema.nullable(),
  seq: z.number().int().optional(),
});
export type ReportOut = z.infer<typeof ReportMessageSchema>;
export type ReportPoint = z.infer<typeof ReportPointSchema>;
export type ReportTrend = z.infer<typeof ReportTrendSchema>;
export type ReportEarlier = z.infer<typeof ReportEarlierSchema>;
