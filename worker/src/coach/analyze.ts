/** One answer's content analysis, all rules at once (pure: text in, findings out). */
import { hedges } from "./hedges.ts";
import { ownership } from "./ownership.ts";
import { relevance } from "./relevance.ts";
import { repeatedPhrases } from "./repeats.ts";
import { specificity } from "./specificity.ts";
import { starCoverage } from "./star.ts";
import { sentences, tokens } from "./tokens.ts";
import type { ContentAnalysis } from "./types.ts";

/**
 * Characters of an answer that are analysed: about 1,300 words, several minutes of speech and
 * far beyond a good answer. The rules are linear, but a frame may carry 64 KiB, and the
 * interview object should not spend a turn's time on it; spans beyond the limit are not
 * reported (every span still lies inside the answer).
 */
export const ANALYSED_CHARS_MAX = 8_000;

export function analyzeContent(fullAnswer: string, question: string): ContentAnalysis {
  const answer = fullAnswer.length > ANALYSED_CHARS_MAX ? fullAnswer.slice(0, ANALYSED_CHARS_MAX) : fullAnswer;
  const ts = tokens(answer);
  const ss = sentences(answer, ts);
  return {
    words: ts.length,
    star: starCoverage(answer, ss),
    specificity: specificity(answer, ts),
    ownership: ownership(answer, ss),
    hedges: hedges(answer, ts),
    repeats: repeatedPhrases(answer, ts),
    relevance: relevance(answer, ts, question),
  };
}
