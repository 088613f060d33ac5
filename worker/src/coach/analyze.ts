/** One answer's content analysis, all rules at once (pure: text in, findings out). */
import { hedges } from "./hedges.ts";
import { ownership } from "./ownership.ts";
import { relevance } from "./relevance.ts";
import { repeatedPhrases } from "./repeats.ts";
import { specificity } from "./specificity.ts";
import { starCoverage } from "./star.ts";
import { sentences, tokens } from "./tokens.ts";
import type { ContentAnalysis } from "./types.ts";

export function analyzeContent(answer: string, question: string): ContentAnalysis {
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
