/**
 * The end-of-session report (README, protocol: `report`): each answer's scores with quoted
 * evidence, what improved from the first half of the session to the second and what did not,
 * three strengths and three things to practise, each tied to the answers (turns) it comes
 * from. Pure: built from the scores the engine kept per answer. The comparison with the
 * participant's earlier sessions needs stored sessions: the interview object (for the
 * socket's `report`) and the HTTP route read them with the same code
 * (storage/feedback-reads.ts, `earlierSessions`) and pass them in, so the two agree.
 */
import type { ReportOut, ReportPoint, ReportTrend } from "@interview/shared";
import type { AnswerScore, EarlierSessions } from "./types.ts";

/** Pace limits the report calls conversational (the delivery bands, coach/delivery.ts). */
const CONVERSATIONAL = { min: 110, max: 170 };

interface Habit {
  strength: string;
  practise: string;
  /** Whether the answer shows the good habit; null when it does not apply to it. */
  shows: (a: AnswerScore) => boolean | null;
}

const HABITS: readonly Habit[] = [
  { strength: "You said what came of your work.", practise: "Finish each story with its result.", shows: (a) => a.star.result.present },
  { strength: "You backed your answers with numbers.", practise: "Put a number on the outcome: a before and after, a count, time saved.", shows: (a) => a.numbers.length > 0 },
  { strength: "You described the steps you took.", practise: "Say what you did, step by step.", shows: (a) => a.star.action.present },
  { strength: "You set the scene before the story.", practise: "Open with one sentence on where this was and what was at stake.", shows: (a) => a.star.situation.present },
  { strength: "You made clear what your goal was.", practise: "Say what you were asked to do, or what you set out to do.", shows: (a) => a.star.task.present },
  {
    strength: "You owned your part (\"I\", not only \"we\").",
    practise: "Say which steps were yours: \"I\", not only \"we\".",
    shows: (a) => (a.singular + a.plural === 0 ? null : a.singular >= a.plural),
  },
  { strength: "You stayed on the question asked.", practise: "Tie the first sentence to the question asked.", shows: (a) => a.relevance >= 0.25 },
  { strength: "You spoke plainly, without hedges.", practise: "Drop hedges such as \"I think\" and \"maybe\".", shows: (a) => a.hedges.length === 0 },
  {
    strength: "Your pace was easy to follow.",
    practise: "Keep a conversational pace (110 to 170 words a minute).",
    shows: (a) => (a.wpm === null ? null : a.wpm >= CONVERSATIONAL.min && a.wpm <= CONVERSATIONAL.max),
  },
  { strength: "You kept fillers rare.", practise: "Replace fillers with a short pause.", shows: (a) => (a.fillersPer100Words === null ? null : a.fillersPer100Words <= 3) },
];

interface Measure {
  name: string;
  /** Higher is better unless `lowerIsBetter`. */
  value: (a: AnswerScore) => number | null;
  lowerIsBetter?: boolean;
}

const MEASURES: readonly Measure[] = [
  { name: "STAR parts covered (of 4)", value: (a) => a.starScore },
  { name: "numbers per answer", value: (a) => a.numbers.length },
  { name: "relevance to the question", value: (a) => a.relevance },
  { name: "hedges per answer", value: (a) => a.hedges.length, lowerIsBetter: true },
  { name: "fillers per 100 words", value: (a) => a.fillersPer100Words, lowerIsBetter: true },
];

/** `earlier`: the participant's earlier sessions with stored feedback; null or none: no comparison. */
export function buildReport(sessionId: string, scores: readonly AnswerScore[], earlier: EarlierSessions | null = null): Omit<ReportOut, "seq"> {
  const points = (pick: (h: Habit) => string, good: boolean): ReportPoint[] =>
    HABITS.map((h) => ({ text: pick(h), turns: scores.filter((a) => h.shows(a) === good).map((a) => a.turn) }))
      .filter((p) => p.turns.length > 0)
      .sort((x, y) => y.turns.length - x.turns.length)
      .slice(0, 3);
  return {
    type: "report",
    session_id: sessionId,
    answers: scores.map((a) => ({ ...a })),
    ...trends(scores),
    strengths: points((h) => h.strength, true),
    practise: points((h) => h.practise, false),
    earlier: earlier && earlier.sessions > 0 ? { sessions: earlier.sessions, earlier: earlier.earlier, thisSession: sessionAverages(scores) } : null,
  };
}

function average(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.round((known.reduce((s, v) => s + v, 0) / known.length) * 100) / 100;
}

/** First half of the answers against the second half, per measure; needs two answers. */
function trends(scores: readonly AnswerScore[]): { improved: ReportTrend[]; notImproved: ReportTrend[] } {
  const improved: ReportTrend[] = [];
  const notImproved: ReportTrend[] = [];
  if (scores.length < 2) return { improved, notImproved };
  const half = Math.floor(scores.length / 2);
  const early = scores.slice(0, half);
  const late = scores.slice(half);
  for (const m of MEASURES) {
    const from = average(early.map(m.value));
    const to = average(late.map(m.value));
    if (from === null || to === null) continue;
    const trend = { measure: m.name, from, to, earlyTurns: early.map((a) => a.turn), lateTurns: late.map((a) => a.turn) };
    const better = m.lowerIsBetter ? to < from : to > from;
    (better ? improved : notImproved).push(trend);
  }
  return { improved, notImproved };
}

/** Averages of one session's scores, for comparing sessions. */
export function sessionAverages(scores: readonly AnswerScore[]): { starScore: number | null; numbers: number | null; relevance: number | null; hedges: number | null } {
  return {
    starScore: average(scores.map((a) => a.starScore)),
    numbers: average(scores.map((a) => a.numbers.length)),
    relevance: average(scores.map((a) => a.relevance)),
    hedges: average(scores.map((a) => a.hedges.length)),
  };
}
