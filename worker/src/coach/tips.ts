/**
 * Tips chosen from the analysis (README, Coaching): each rule looks at a finding, and its tip
 * quotes the candidate's own words or measures. At most two, the highest priority first, as
 * the seed's coach did; the "add a number" tip never goes to an answer that has one.
 * Sentences read as a person would say them, without a style label in front.
 */
import type { AnswerMetrics, Tip } from "@interview/shared";
import { FILLER_PHRASES } from "../engine/text.ts";
import { isNonAnswer } from "../engine/non-answer.ts";
import { findPhrases, phraseList, tokens } from "./tokens.ts";
import { PACE_BANDS } from "./delivery.ts";
import { isHypothetical } from "./question-kind.ts";

export { isHypothetical };
import type { ContentAnalysis, DeliveryAnalysis, Span } from "./types.ts";

const MAX_TIPS = 2;
const QUOTE_MAX_CHARS = 70;
const FILLERS = phraseList(FILLER_PHRASES);

export const NON_ANSWER_TIPS: readonly Tip[] = [
  {
    summary: "Make \"I don't know\" useful",
    detail: "It's fine not to know. Say how you would find out, and the interviewer still learns how you think.",
  },
  { summary: "Ask one clarifying question", detail: "Check one constraint quickly, then say what your first step would be." },
];

export interface TipInput {
  answer: string;
  /** The question answered: a hypothetical one ("How would you…") gets no story-shaped tips. */
  question: string;
  content: ContentAnalysis;
  delivery: DeliveryAnalysis | null;
  /** The client's own measures; pace and pauses count only for a typed answer (no delivery). */
  metrics: AnswerMetrics | null | undefined;
}

interface Candidate {
  priority: number;
  tip: Tip;
}

/** The answer's words at `span`, in quotes, cut at a word boundary when long. */
export function quote(answer: string, span: Span): string {
  let text = answer.slice(span.from, span.to).replace(/\s+/gu, " ").trim();
  if (text.length > QUOTE_MAX_CHARS) {
    const cut = text.slice(0, QUOTE_MAX_CHARS);
    const space = cut.lastIndexOf(" ");
    text = `${(space > QUOTE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).replace(/[,;:]$/u, "")}…`;
  }
  return `“${text}”`;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function evidenceTips(input: TipInput): Tip[] {
  if (isNonAnswer(input.answer)) return [...NON_ANSWER_TIPS];
  const ranked = candidates(input).sort((a, b) => b.priority - a.priority);
  const seen = new Set<string>();
  const out: Tip[] = [];
  for (const { tip } of ranked) {
    if (seen.has(tip.summary)) continue;
    seen.add(tip.summary);
    out.push(tip);
    if (out.length === MAX_TIPS) break;
  }
  return out;
}


/** "i think" as a person writes it: "I think". */
function asWritten(phrase: string): string {
  return phrase.toLowerCase().replace(/\bi\b/gu, "I").replace(/\bi'/gu, "I'");
}

function candidates({ answer, question, content, delivery, metrics }: TipInput): Candidate[] {
  const hypothetical = isHypothetical(question);
  const out: Candidate[] = [];
  const q = (span: Span) => quote(answer, span);
  const { star, specificity, ownership, relevance } = content;
  const firstSentence = star.situation.evidence[0] ?? star.action.evidence[0] ?? { from: 0, to: answer.length };

  if (content.words > 0 && content.words < 15) {
    out.push({
      priority: 74,
      tip: { summary: "Tell it as a story", detail: `${q({ from: 0, to: answer.length })} is a headline. Add where it happened, what you did and what changed.` },
    });
  }
  if (relevance.keywords.length > 0 && relevance.score < 0.15 && content.words >= 8) {
    const keys = relevance.keywords.slice(0, 3).map((k) => `“${k}”`);
    out.push({
      priority: 76,
      tip: { summary: "Answer the question asked", detail: `The question was about ${list(keys)}, and your answer never came back to it. Open with one sentence that does.` },
    });
  }
  if (!star.action.present && content.words >= 15) {
    out.push({
      priority: 72,
      tip: { summary: "Say what you did", detail: `${q(firstSentence)} sets things up, but I could not find a step you took. Name one thing you did yourself.` },
    });
  }
  const lastAction = star.action.evidence[star.action.evidence.length - 1];
  if (hypothetical && lastAction && !/\b(?:because|so that|which means|trade-?offs?|instead of|rather than|the reason)\b/iu.test(answer)) {
    out.push({
      priority: 48,
      tip: { summary: "Say why", detail: `You said what you would do, such as ${q(lastAction)}, but not why. Give the reason for your main choice, and what it costs.` },
    });
  }
  if (!hypothetical && star.action.present && !star.result.present && lastAction) {
    out.push({
      priority: 68,
      tip: { summary: "Finish with the result", detail: `You said ${q(lastAction)}, but not what came of it. Close with one sentence on what changed.` },
    });
  }
  const firstResult = star.result.evidence[0];
  if (!hypothetical && star.result.present && specificity.numbers.length === 0 && firstResult) {
    out.push({
      priority: 60,
      tip: { summary: "Put a number on the result", detail: `${q(firstResult)} would land harder with a measure: a before and after, a count, or the time it saved.` },
    });
  }
  if (!hypothetical && !star.situation.present && star.action.present && content.words >= 25) {
    out.push({
      priority: 50,
      tip: { summary: "Set the scene first", detail: `You start with ${q(firstSentence)}. Say first where this was and what was at stake.` },
    });
  }
  if (ownership.plural.length >= 2 && ownership.plural.length > 2 * ownership.singular.length) {
    const said = ownership.plural.slice(0, 2).map((f) => `“${f.text}”`);
    out.push({
      priority: 58,
      tip: { summary: "Say which part was yours", detail: `You said ${list(said)}. Which of those steps did you take yourself?` },
    });
  }
  const hedgeWords = [...new Set(content.hedges.map((h) => asWritten(h.text)))];
  if (content.hedges.length >= 2) {
    out.push({
      priority: 55,
      tip: { summary: "Drop the hedges", detail: `${list(hedgeWords.slice(0, 3).map((h) => `“${h}”`))} soften what you did. Say it plainly; you were there.` },
    });
  }
  const repeat = content.repeats.find((r) => r.spans.length >= 3);
  if (repeat) {
    out.push({
      priority: 45,
      tip: { summary: "Vary the repeated phrase", detail: `You said “${asWritten(repeat.phrase)}” ${repeat.spans.length} times. Once is enough; let the facts carry the rest.` },
    });
  }
  if (firstResult && content.words > 150 && firstResult.from > answer.length * 0.6) {
    out.push({
      priority: 47,
      tip: { summary: "Open with the headline", detail: `Your result, ${q(firstResult)}, came after ${content.words} words. Say it first, then back it up.` },
    });
  }

  out.push(...deliveryCandidates(answer, delivery, metrics));

  if (out.length === 0) {
    // A number in the result, one with its unit first ("900 ms" over "3").
    const inResult = [...specificity.numbers]
      .sort((a, b) => Number(/\D/u.test(b.text)) - Number(/\D/u.test(a.text)))
      .find((n) => star.result.evidence.some((r) => n.from >= r.from && n.to <= r.to));
    const proof = inResult ?? firstResult ?? specificity.numbers[0] ?? firstSentence;
    out.push({
      priority: 10,
      tip: { summary: "Keep this structure", detail: `You gave the situation, what you did and the result, down to ${q(proof)}. Keep that shape.` },
    });
  }
  return out;
}

function deliveryCandidates(answer: string, delivery: DeliveryAnalysis | null, metrics: AnswerMetrics | null | undefined): Candidate[] {
  const out: Candidate[] = [];
  const band = `${PACE_BANDS.slowBelow} to ${PACE_BANDS.fastAbove}`;
  if (delivery) {
    const pace = Math.round(delivery.wpmExcludingPauses);
    if (delivery.band === "fast") {
      out.push({
        priority: pace > 195 ? 80 : 65,
        tip: { summary: "Ease off the pace", detail: `You spoke at about ${pace} words a minute; ${band} is easier to follow. Pause after each key fact.` },
      });
    } else if (delivery.band === "slow" && delivery.words >= 20) {
      out.push({
        priority: 55,
        tip: { summary: "Pick up the tempo", detail: `You spoke at about ${pace} words a minute, below the ${band} of conversation. Shorter sentences get you to the result sooner.` },
      });
    }
    if (delivery.fillers.length >= 2 && delivery.fillersPer100Words > 3) {
      const named = delivery.fillers.slice(0, 3).map((f) => `“${f.text}” at ${clock(f.at)}`);
      out.push({
        priority: delivery.fillersPer100Words > 6 ? 62 : 52,
        tip: { summary: "Swap fillers for a pause", detail: `${list(named)}: ${delivery.fillersPer100Words} fillers per 100 words. A short silence sounds more sure.` },
      });
    }
    if (delivery.longestPause && delivery.longestPause.seconds > 3) {
      out.push({
        priority: 52,
        tip: {
          summary: "Fill the long silence",
          detail: `At ${clock(delivery.longestPause.at)} you were silent for ${delivery.longestPause.seconds.toFixed(1)} s. Saying “let me think” out loud beats silence.`,
        },
      });
    }
  } else {
    const rate = finite(metrics?.speakingRate);
    const pause = finite(metrics?.pauseRatio);
    if (rate !== null && rate > PACE_BANDS.fastAbove) {
      out.push({
        priority: rate > 195 ? 80 : 65,
        tip: { summary: "Ease off the pace", detail: `You spoke at about ${Math.round(rate)} words a minute; ${band} is easier to follow. Pause after each key fact.` },
      });
    }
    if (pause !== null && pause > 0.18) {
      out.push({
        priority: pause > 0.26 ? 70 : 55,
        tip: { summary: "Cut down long pauses", detail: `About ${Math.round(pause * 100)}% of your answer was silence. Take one planning pause, then keep going.` },
      });
    }
    const fillers = findPhrases(answer, tokens(answer), FILLERS);
    if (fillers.length >= 2) {
      const named = [...new Set(fillers.map((f) => `“${asWritten(f.text)}”`))].slice(0, 3);
      out.push({
        priority: fillers.length > 3 ? 60 : 50,
        tip: { summary: "Swap fillers for a pause", detail: `You used ${list(named)} ${fillers.length} times in all. When one is coming, pause instead.` },
      });
    }
  }
  const gaze = finite(metrics?.gaze);
  if (gaze !== null && gaze < 60) {
    out.push({
      priority: gaze < 45 ? 60 : 50,
      tip: { summary: "Bring your eyes back to the camera", detail: `You looked at the camera ${Math.round(gaze)}% of the time. Look into the lens for your first and last sentence.` },
    });
  }
  return out;
}
