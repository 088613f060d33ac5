/**
 * The heuristic coach (docs/seed-behaviour.md §4.2): turns the answer text and the client's
 * delivery metrics into at most two tips. It is what the candidate sees whenever the LLM is
 * unavailable or returns no tips, so its thresholds and priorities are part of the contract
 * (docs/decisions.md, Keep); only filler detection changed, from substrings to tokens.
 */
import type { AnswerMetrics, Style, Tip } from "@interview/shared";
import { STYLE_CARDS } from "./style-cards.ts";
import { isNonAnswer } from "./non-answer.ts";
import { codePointLength, countFillers, hasDigits } from "./text.ts";

const TIPS = {
  nonAnswerSignal: {
    summary: "Make \"I don't know\" useful",
    detail: "It's fine not to know. Follow it with how you would find out, and the interviewer still learns how you think.",
  },
  nonAnswerClarify: {
    summary: "Ask one clarifying question",
    detail: "Check one constraint quickly, then say what your first step would be.",
  },
  concreteDetail: {
    summary: "Add one concrete detail",
    detail: "Include a number or a specific decision you made so the story is easy to believe.",
  },
  headline: {
    summary: "Open with the headline",
    detail: "State the outcome in one sentence first, then back it with two or three facts.",
  },
  slowDown: {
    summary: "Ease off the pace",
    detail: "Aim for roughly 120 to 160 words a minute, and pause briefly after the key nouns.",
  },
  tempo: {
    summary: "Pick up the tempo",
    detail: "Use shorter sentences and reach the result sooner.",
  },
  longPauses: {
    summary: "Cut down long pauses",
    detail: "Take one planning pause, then keep going; saying \"let me think\" out loud beats silence.",
  },
  microPauses: {
    summary: "Add short deliberate pauses",
    detail: "A beat between ideas gives the listener time to follow.",
  },
  eyeContact: {
    summary: "Bring your eyes back to the camera",
    detail: "Look into the lens for your first and last sentence, and keep notes close to it.",
  },
  fillers: {
    summary: "Swap fillers for silence",
    detail: "When you feel an \"um\" coming, pause instead; a short silence sounds more confident.",
  },
  smoothPacing: {
    summary: "Even out your pacing",
    detail: "Trailing off mid-sentence breaks the flow; finish each thought before pausing.",
  },
  keepStructure: {
    summary: "Keep this structure",
    detail: "That was clear and concise. Next time, add one metric to make it land harder.",
  },
} as const satisfies Record<string, Tip>;

interface Candidate {
  priority: number;
  tip: Tip;
}

const MAX_TIPS = 2;

/** Absent, null and non-finite metrics all mean "not measured". */
function metric(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function collectCandidates(answer: string, metrics: AnswerMetrics | null | undefined): Candidate[] {
  const text = answer.trim();
  const length = codePointLength(text);
  const digits = hasDigits(text);
  // Checked on the raw answer: in a transcript a double space marks a pause, and any
  // whitespace normalisation would erase it.
  const hasPauseText = answer.includes("...") || answer.includes("  ");
  const rate = metric(metrics?.speakingRate);
  const pause = metric(metrics?.pauseRatio);
  const gaze = metric(metrics?.gaze);
  const fillerMetric = metric(metrics?.fillers);
  // Python's isinstance(x, int): a fractional count is treated as not supplied.
  const fillers = fillerMetric !== null && Number.isInteger(fillerMetric) ? fillerMetric : countFillers(answer);

  const out: Candidate[] = [];
  if (length < 80) out.push({ priority: 70, tip: TIPS.concreteDetail });
  else if (length < 140 && !digits) out.push({ priority: 55, tip: TIPS.concreteDetail });
  if (length > 520) out.push({ priority: 45, tip: TIPS.headline });
  if (rate !== null && rate > 175) out.push({ priority: rate > 195 ? 80 : 65, tip: TIPS.slowDown });
  if (rate !== null && rate < 105 && length >= 120) out.push({ priority: 55, tip: TIPS.tempo });
  if (pause !== null && pause > 0.18) out.push({ priority: pause > 0.26 ? 70 : 55, tip: TIPS.longPauses });
  if (pause !== null && pause < 0.05 && rate !== null && rate > 165) out.push({ priority: 50, tip: TIPS.microPauses });
  if (gaze !== null && gaze < 60) out.push({ priority: gaze < 45 ? 60 : 50, tip: TIPS.eyeContact });
  if (fillers > 1) out.push({ priority: fillers > 3 ? 60 : 50, tip: TIPS.fillers });
  else if (hasPauseText && pause === null) out.push({ priority: 40, tip: TIPS.smoothPacing });
  if (out.length === 0) out.push({ priority: 10, tip: TIPS.keepStructure });
  return out;
}

export function heuristicTips(args: {
  answer: string;
  metrics: AnswerMetrics | null | undefined;
  style: Style;
}): Tip[] {
  const prefix = STYLE_CARDS[args.style].tipPrefix;
  const withPrefix = (tip: Tip): Tip => ({ summary: tip.summary, detail: `${prefix}${tip.detail}` });
  if (isNonAnswer(args.answer)) return [TIPS.nonAnswerSignal, TIPS.nonAnswerClarify].map(withPrefix);

  // Array.prototype.sort is stable, so equal priorities keep the rule order above.
  const ranked = collectCandidates(args.answer, args.metrics).sort((a, b) => b.priority - a.priority);
  const seen = new Set<string>();
  const picked: Tip[] = [];
  for (const { tip } of ranked) {
    if (seen.has(tip.summary)) continue;
    seen.add(tip.summary);
    picked.push(withPrefix(tip));
    if (picked.length === MAX_TIPS) break;
  }
  return picked;
}
