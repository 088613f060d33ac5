/**
 * The chat messages for the three purposes of docs/seed-behaviour.md §5, in our own words, with the seed's
 * budgets. Every prompt carries the style's tone, the practice pack, the difficulty, the
 * turn, the last three question/answer pairs and, for coaching, the delivery metrics.
 *
 * A streamed question asks for the bare sentence rather than JSON, so the deltas shown to
 * the candidate are readable as they arrive; the parser accepts either shape.
 */
import type { AnswerMetrics, Pack } from "@interview/shared";
import { STYLE_CARDS } from "../../engine/style-cards.ts";
import type { ConsultRequest, LlmPurpose, QaPair } from "../../engine/types.ts";

export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

export interface Budget {
  maxTokens: number;
  temperature: number;
}

/** docs/seed-behaviour.md §5.2-5.4, kept as the contract (docs/decisions.md). top_p is 1 for all. */
export const BUDGETS: Readonly<Record<LlmPurpose, Budget>> = {
  coaching: { maxTokens: 240, temperature: 0.8 },
  question: { maxTokens: 80, temperature: 0.85 },
  clarification: { maxTokens: 180, temperature: 0.5 },
  // Not the seed's: six scores and six short quotes; a low temperature, since it grades.
  rubric: { maxTokens: 400, temperature: 0.2 },
};

const PACK_LABELS: Readonly<Record<Pack, string>> = {
  swe_behavioral: "software engineering, behavioural",
  swe_system_design: "software engineering, system design",
  data_science_ml: "data science and machine learning",
  leadership: "leadership",
};

/** Answers are the candidate's own words; a cap keeps one rambling answer from eating the context. */
const ANSWER_CHARS_IN_PROMPT = 1_500;

type Context = Pick<ConsultRequest, "style" | "pack" | "difficulty" | "turn" | "history">;

function tone(request: Context): string {
  return STYLE_CARDS[request.style].llmTone;
}

function contextLines(request: Context): string[] {
  return [
    `Interviewer style: ${request.style} (${tone(request)})`,
    `Practice pack: ${request.pack} (${PACK_LABELS[request.pack]})`,
    `Difficulty: ${request.difficulty}`,
    `Turn: ${request.turn}`,
    `Recent exchange, oldest first:\n${historyText(request.history)}`,
  ];
}

function historyText(history: QaPair[]): string {
  if (history.length === 0) return "(nothing yet)";
  return history
    .slice(-3)
    .map((pair, i) => `Q${i + 1}: ${pair.question}\nA${i + 1}: ${clip(pair.answer)}`)
    .join("\n");
}

function metricsText(metrics: AnswerMetrics): string {
  const known = (["speakingRate", "pauseRatio", "gaze", "fillers"] as const).flatMap((key) => {
    const value = metrics[key];
    return typeof value === "number" && Number.isFinite(value) ? [`${key}=${value}`] : [];
  });
  return known.length > 0 ? known.join(", ") : "none measured";
}

function clip(text: string): string {
  return text.length > ANSWER_CHARS_IN_PROMPT ? `${text.slice(0, ANSWER_CHARS_IN_PROMPT)}…` : text;
}

export function coachingMessages(request: ConsultRequest): ChatMessage[] {
  const coaching = request.coaching!;
  return [
    {
      role: "system",
      content: [
        `You are the interviewer in a mock job interview and also coach the candidate. Your manner is ${tone(request)}.`,
        "After each answer you say one follow-up: a single natural sentence that presses on the weakest or vaguest part of the answer.",
        "You also give two short, practical tips on delivery: pace, pauses, confidence, structure or concrete detail. Use the delivery measurements when they are given (speakingRate in words per minute, pauseRatio 0-1, gaze 0-100 meaning eye contact, fillers as a count).",
        'Reply with one JSON object and nothing else, no markdown and no code fence: {"follow_up": "...", "tips": [{"summary": "...", "detail": "..."}, {"summary": "...", "detail": "..."}]}',
      ].join("\n"),
    },
    {
      role: "user",
      content: [
        ...contextLines(request),
        `Question just asked: ${coaching.question}`,
        `Candidate's answer: ${clip(coaching.answer) || "(no answer)"}`,
        `Delivery measurements: ${metricsText(coaching.metrics)}`,
        "Return the JSON object only.",
      ].join("\n"),
    },
  ];
}

export function questionMessages(request: ConsultRequest): ChatMessage[] {
  const next = request.nextQuestion!;
  const shape = request.stream
    ? "Reply with the question alone, as one plain sentence: no JSON, no quotes, no label, no preamble."
    : 'Reply with one JSON object and nothing else, no markdown and no code fence: {"question": "..."}';
  return [
    {
      role: "system",
      content: [
        `You are the interviewer in a mock job interview. Your manner is ${tone(request)}.`,
        "Ask the next main interview question: one concise, natural question about a specific situation or design, fitting the practice pack and difficulty.",
        "It should follow on sensibly from the conversation so far and must not repeat a question already asked.",
        shape,
      ].join("\n"),
    },
    {
      role: "user",
      content: [
        ...contextLines(request),
        `Previous question: ${next.previousQuestion ?? "(none)"}`,
        "Write the next question.",
      ].join("\n"),
    },
  ];
}

export function clarificationMessages(request: ConsultRequest): ChatMessage[] {
  const clarification = request.clarification!;
  return [
    {
      role: "system",
      content: [
        `You are the interviewer in a mock job interview. Your manner is ${tone(request)}.`,
        "The candidate asks something about the current question before answering. Clear up what they asked in one to three short sentences.",
        "Never answer the interview question for them, suggest a model answer or solve it. Finish by restating the current question in one sentence.",
        'Reply with one JSON object and nothing else, no markdown and no code fence: {"message": "..."}',
      ].join("\n"),
    },
    {
      role: "user",
      content: [
        ...contextLines(request),
        `Current question: ${clarification.prompt}`,
        `Candidate asks: ${clarification.question}`,
        "Return the JSON object only.",
      ].join("\n"),
    },
  ];
}
