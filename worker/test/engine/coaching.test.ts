import { describe, it, expect } from "vitest";
import { STYLES } from "@interview/shared";
import type { AnswerMetrics, Style, Tip } from "@interview/shared";
import { heuristicTips } from "../../src/engine/coaching.ts";

const S = {
  nonAnswerSignal: "Make \"I don't know\" useful",
  nonAnswerClarify: "Ask one clarifying question",
  concrete: "Add one concrete detail",
  headline: "Open with the headline",
  slow: "Ease off the pace",
  tempo: "Pick up the tempo",
  pauses: "Cut down long pauses",
  micro: "Add short deliberate pauses",
  gaze: "Bring your eyes back to the camera",
  fillers: "Swap fillers for silence",
  smooth: "Even out your pacing",
  keep: "Keep this structure",
} as const;

/** An ordinary answer of exactly `n` characters that contains a digit and nothing else notable. */
function answerOf(n: number, base = "Shipped 3 features"): string {
  const pad = n - base.length - 1;
  if (pad < 1) throw new Error("base too long");
  return `${base} ${"x".repeat(pad)}`;
}
/** Same, without any digit. */
const wordyOf = (n: number): string => answerOf(n, "Shipped three features");

const CLEAN = answerOf(200);

function tips(answer: string, metrics: AnswerMetrics | null | undefined = {}, style: Style = "neutral"): Tip[] {
  return heuristicTips({ answer, metrics, style });
}
const summaries = (answer: string, metrics?: AnswerMetrics | null): string[] =>
  tips(answer, metrics).map((t) => t.summary);

describe("heuristicTips: fallback", () => {
  it("returns only 'keep the structure' when nothing else applies", () => {
    expect(tips(CLEAN)).toEqual([
      { summary: S.keep, detail: "That was clear and concise. Next time, add one metric to make it land harder." },
    ]);
  });
  it("treats null and undefined metrics as absent", () => {
    expect(summaries(CLEAN, null)).toEqual([S.keep]);
    expect(summaries(CLEAN, undefined)).toEqual([S.keep]);
    expect(summaries(CLEAN, { speakingRate: null, pauseRatio: null, gaze: null, fillers: null })).toEqual([S.keep]);
  });
  it("ignores non-finite metrics", () => {
    expect(summaries(CLEAN, { speakingRate: Number.POSITIVE_INFINITY, gaze: Number.NaN })).toEqual([S.keep]);
  });
});

describe("heuristicTips: length rules", () => {
  it("asks for a concrete detail below 80 characters, even with digits", () => {
    expect(summaries(answerOf(79))).toEqual([S.concrete]);
  });
  it("asks below 140 characters only when there are no digits", () => {
    expect(summaries(answerOf(80))).toEqual([S.keep]);
    expect(summaries(wordyOf(80))).toEqual([S.concrete]);
    expect(summaries(wordyOf(139))).toEqual([S.concrete]);
    expect(summaries(answerOf(139))).toEqual([S.keep]);
  });
  it("stops asking at 140 characters", () => {
    expect(summaries(wordyOf(140))).toEqual([S.keep]);
  });
  it("uses priority 70 below 80 characters (beats a 65 slow-pace tip)", () => {
    expect(summaries(answerOf(79), { speakingRate: 180 })).toEqual([S.concrete, S.slow]);
  });
  it("uses priority 55 between 80 and 139 characters (loses to a 65 slow-pace tip)", () => {
    expect(summaries(wordyOf(100), { speakingRate: 180 })).toEqual([S.slow, S.concrete]);
  });
  it("measures the stripped answer", () => {
    expect(summaries(`  ${answerOf(80)}\n`, { pauseRatio: 0.1 })).toEqual([S.keep]);
    expect(summaries(` ${answerOf(79)} `, { pauseRatio: 0.1 })).toEqual([S.concrete]);
  });
  it("counts code points, so an emoji is one character", () => {
    expect(summaries(`${answerOf(79)}😀`)).toEqual([S.keep]);
  });
  it("asks for a headline above 520 characters, not at 520", () => {
    expect(summaries(answerOf(520))).toEqual([S.keep]);
    expect(summaries(answerOf(521))).toEqual([S.headline]);
  });
});

describe("heuristicTips: speaking rate", () => {
  it("does not fire at exactly 175 wpm", () => {
    expect(summaries(CLEAN, { speakingRate: 175 })).toEqual([S.keep]);
  });
  it("fires above 175 wpm with priority 65 (loses to a 70 pause tip)", () => {
    expect(summaries(CLEAN, { speakingRate: 175.1 })).toEqual([S.slow]);
    expect(summaries(CLEAN, { speakingRate: 195, pauseRatio: 0.27 })).toEqual([S.pauses, S.slow]);
  });
  it("uses priority 80 above 195 wpm (beats a 70 pause tip)", () => {
    expect(summaries(CLEAN, { speakingRate: 195.1, pauseRatio: 0.27 })).toEqual([S.slow, S.pauses]);
  });
  it("uses priority 65 at 180 wpm (beats a 55 pause tip)", () => {
    expect(summaries(CLEAN, { speakingRate: 180, pauseRatio: 0.2 })).toEqual([S.slow, S.pauses]);
  });
  it("asks to tighten the tempo below 105 wpm with at least 120 characters", () => {
    expect(summaries(answerOf(120), { speakingRate: 104.9 })).toEqual([S.tempo]);
    expect(summaries(answerOf(119), { speakingRate: 104.9 })).toEqual([S.keep]);
    expect(summaries(answerOf(120), { speakingRate: 105 })).toEqual([S.keep]);
  });
  it("gives the tempo tip priority 55", () => {
    expect(summaries(CLEAN, { speakingRate: 100, gaze: 50 })).toEqual([S.tempo, S.gaze]);
    expect(summaries(CLEAN, { speakingRate: 100, gaze: 44 })).toEqual([S.gaze, S.tempo]);
    // Tie with a 55 pause tip: the tempo rule comes first in rule order.
    expect(summaries(CLEAN, { speakingRate: 100, pauseRatio: 0.2 })).toEqual([S.tempo, S.pauses]);
  });
});

describe("heuristicTips: pause ratio", () => {
  it("does not fire at exactly 0.18", () => {
    expect(summaries(CLEAN, { pauseRatio: 0.18 })).toEqual([S.keep]);
  });
  it("fires above 0.18 with priority 55 (loses to a 60 gaze tip)", () => {
    expect(summaries(CLEAN, { pauseRatio: 0.181 })).toEqual([S.pauses]);
    expect(summaries(CLEAN, { pauseRatio: 0.26, gaze: 44 })).toEqual([S.gaze, S.pauses]);
  });
  it("uses priority 70 above 0.26 (beats a 60 gaze tip)", () => {
    expect(summaries(CLEAN, { pauseRatio: 0.261, gaze: 44 })).toEqual([S.pauses, S.gaze]);
  });
  it("ties with the 55 concrete-detail tip and keeps rule order", () => {
    expect(summaries(wordyOf(100), { pauseRatio: 0.2 })).toEqual([S.concrete, S.pauses]);
  });
  it("asks for micro-pauses below 0.05 when faster than 165 wpm", () => {
    expect(summaries(CLEAN, { pauseRatio: 0.049, speakingRate: 165.1 })).toEqual([S.micro]);
    expect(summaries(CLEAN, { pauseRatio: 0.05, speakingRate: 170 })).toEqual([S.keep]);
    expect(summaries(CLEAN, { pauseRatio: 0.01, speakingRate: 165 })).toEqual([S.keep]);
    expect(summaries(CLEAN, { pauseRatio: 0.01 })).toEqual([S.keep]);
    expect(summaries(CLEAN, { speakingRate: 170 })).toEqual([S.keep]);
  });
  it("gives micro-pauses priority 50", () => {
    // Tie with a 50 gaze tip: rule order.
    expect(summaries(CLEAN, { pauseRatio: 0.01, speakingRate: 170, gaze: 50 })).toEqual([S.micro, S.gaze]);
    expect(summaries(answerOf(600), { pauseRatio: 0.01, speakingRate: 170 })).toEqual([S.micro, S.headline]);
    expect(summaries(answerOf(79), { pauseRatio: 0.01, speakingRate: 170 })).toEqual([S.concrete, S.micro]);
  });
});

describe("heuristicTips: gaze", () => {
  it("does not fire at exactly 60", () => {
    expect(summaries(CLEAN, { gaze: 60 })).toEqual([S.keep]);
  });
  it("fires below 60 with priority 50 (loses to a 55 pause tip)", () => {
    expect(summaries(CLEAN, { gaze: 59.9 })).toEqual([S.gaze]);
    expect(summaries(CLEAN, { gaze: 45, pauseRatio: 0.2 })).toEqual([S.pauses, S.gaze]);
  });
  it("uses priority 60 below 45 (beats a 55 pause tip)", () => {
    expect(summaries(CLEAN, { gaze: 44.9, pauseRatio: 0.2 })).toEqual([S.gaze, S.pauses]);
  });
  it("fires at 0", () => {
    expect(summaries(CLEAN, { gaze: 0 })).toEqual([S.gaze]);
  });
});

describe("heuristicTips: fillers", () => {
  it("does not fire at one filler", () => {
    expect(summaries(CLEAN, { fillers: 1 })).toEqual([S.keep]);
  });
  it("fires from two fillers with priority 50, up to three", () => {
    expect(summaries(CLEAN, { fillers: 2 })).toEqual([S.fillers]);
    expect(summaries(CLEAN, { fillers: 3, pauseRatio: 0.2 })).toEqual([S.pauses, S.fillers]);
  });
  it("uses priority 60 above three (beats a 55 pause tip)", () => {
    expect(summaries(CLEAN, { fillers: 4, pauseRatio: 0.2 })).toEqual([S.fillers, S.pauses]);
  });
  it("keeps rule order on ties with gaze", () => {
    expect(summaries(CLEAN, { fillers: 4, gaze: 44 })).toEqual([S.gaze, S.fillers]);
    expect(summaries(CLEAN, { fillers: 2, gaze: 50 })).toEqual([S.gaze, S.fillers]);
  });
  it("counts fillers in the text when the metric is absent", () => {
    expect(summaries(`${CLEAN} um, like, you know`)).toEqual([S.fillers]);
    expect(summaries(`${CLEAN} um`)).toEqual([S.keep]);
  });
  it("counts fillers as tokens, not substrings", () => {
    expect(summaries(`${CLEAN} umbrella likely`)).toEqual([S.keep]);
  });
  it("prefers an integer metric over the text", () => {
    expect(summaries(`${CLEAN} um uh um uh`, { fillers: 0 })).toEqual([S.keep]);
    expect(summaries(CLEAN, { fillers: 5 })).toEqual([S.fillers]);
  });
  it("falls back to the text when the metric is not an integer", () => {
    expect(summaries(CLEAN, { fillers: 2.5 })).toEqual([S.keep]);
    expect(summaries(`${CLEAN} um uh`, { fillers: 0.5 })).toEqual([S.fillers]);
    expect(summaries(`${CLEAN} um uh`, { fillers: null })).toEqual([S.fillers]);
  });
});

describe("heuristicTips: pause text", () => {
  it("suggests smoother pacing for '...' when no pause ratio was measured", () => {
    expect(summaries(`${CLEAN}...`)).toEqual([S.smooth]);
  });
  it("also fires for a double space", () => {
    expect(summaries(`Shipped 3  ${"x".repeat(190)}`)).toEqual([S.smooth]);
  });
  it("checks the raw answer, so surrounding double spaces count", () => {
    expect(summaries(`${CLEAN}  `)).toEqual([S.smooth]);
  });
  it("is skipped when a pause ratio was measured", () => {
    expect(summaries(`${CLEAN}...`, { pauseRatio: 0.1 })).toEqual([S.keep]);
    expect(summaries(`${CLEAN}...`, { pauseRatio: 0 })).toEqual([S.keep]);
  });
  it("is skipped when the filler tip fires (it is the filler rule's else branch)", () => {
    expect(summaries(`${CLEAN}...`, { fillers: 2 })).toEqual([S.fillers]);
    expect(summaries(`${CLEAN}...`, { fillers: 1 })).toEqual([S.smooth]);
  });
  it("has priority 40, below the 45 headline tip", () => {
    expect(summaries(`${answerOf(600)}...`)).toEqual([S.headline, S.smooth]);
  });
  it("does not fire for two dots", () => {
    expect(summaries(`${CLEAN}..`)).toEqual([S.keep]);
  });
});

describe("heuristicTips: selection", () => {
  it("returns at most the two highest-priority tips", () => {
    const all = { speakingRate: 200, pauseRatio: 0.3, gaze: 10, fillers: 9 };
    expect(summaries(answerOf(79), all)).toEqual([S.slow, S.concrete]);
  });
  it("orders by priority, not rule order", () => {
    expect(summaries(answerOf(600), { gaze: 50 })).toEqual([S.gaze, S.headline]);
  });
  it("never returns two tips with the same summary", () => {
    const result = summaries(answerOf(79), { speakingRate: 196 });
    expect(new Set(result).size).toBe(result.length);
  });
});

describe("heuristicTips: style prefixes", () => {
  const prefixes: Record<Style, string> = { supportive: "Encouraging: ", neutral: "", cold: "Direct: " };
  it("prepends the style prefix to every detail and leaves summaries alone", () => {
    for (const style of STYLES) {
      const result = tips(answerOf(79), { gaze: 10 }, style);
      expect(result.map((t) => t.summary)).toEqual([S.concrete, S.gaze]);
      expect(result[0]?.detail).toBe(
        `${prefixes[style]}Include a number or a specific decision you made so the story is easy to believe.`,
      );
      expect(result[1]?.detail).toBe(
        `${prefixes[style]}Look into the lens for your first and last sentence, and keep notes close to it.`,
      );
    }
  });
  it("prefixes the fallback tip too", () => {
    expect(tips(CLEAN, {}, "cold")[0]?.detail).toBe(
      "Direct: That was clear and concise. Next time, add one metric to make it land harder.",
    );
  });
});

describe("heuristicTips: non-answers", () => {
  it("returns exactly the two fixed tips, prefixed, for each style", () => {
    const prefixes: Record<Style, string> = { supportive: "Encouraging: ", neutral: "", cold: "Direct: " };
    for (const style of STYLES) {
      expect(tips("I don't know", {}, style)).toEqual([
        {
          summary: S.nonAnswerSignal,
          detail: `${prefixes[style]}It's fine not to know. Follow it with how you would find out, and the interviewer still learns how you think.`,
        },
        {
          summary: S.nonAnswerClarify,
          detail: `${prefixes[style]}Check one constraint quickly, then say what your first step would be.`,
        },
      ]);
    }
  });
  it("ignores delivery metrics for a non-answer", () => {
    expect(summaries("No idea.", { speakingRate: 220, pauseRatio: 0.5, gaze: 0, fillers: 10 })).toEqual([
      S.nonAnswerSignal,
      S.nonAnswerClarify,
    ]);
  });
  it("treats an empty answer as a non-answer", () => {
    expect(summaries("")).toEqual([S.nonAnswerSignal, S.nonAnswerClarify]);
  });
  it("coaches a recovering answer normally", () => {
    expect(summaries("Not sure, but I would start by checking the logs first")).toEqual([S.concrete]);
  });
});
