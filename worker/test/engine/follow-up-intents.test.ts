import { describe, it, expect } from "vitest";
import { STYLES } from "@interview/shared";
import type { AnswerMetrics } from "@interview/shared";
import {
  DESIGN_FOLLOW_UP_TEMPLATES,
  FOLLOW_UP_TEMPLATES,
  pickFollowUp,
  pickFollowUpIntent,
  type FollowUpIntent,
} from "../../src/engine/follow-up-intents.ts";
import { STYLE_CARDS } from "../../src/engine/style-cards.ts";

const INTENTS: readonly FollowUpIntent[] = ["clarify", "numbers", "role", "tradeoff", "impact", "summarize"];

/** `base` padded with a neutral token to exactly `n` characters. */
function ofLength(base: string, n: number): string {
  const pad = n - base.length - 1;
  if (pad < 1) throw new Error("base too long");
  return `${base} ${"x".repeat(pad)}`;
}

const NONE: AnswerMetrics = {};
/** 200 characters with a digit: passes the length and numbers rules, no pronouns or tradeoff words. */
const PLAIN_WITH_NUMBER = ofLength("The rollout cut load by 3 points", 200);

describe("FOLLOW_UP_TEMPLATES", () => {
  it("has two distinct, non-empty questions per intent and style", () => {
    expect(Object.keys(FOLLOW_UP_TEMPLATES).sort()).toEqual([...INTENTS].sort());
    const all: string[] = [];
    for (const intent of INTENTS) {
      expect(Object.keys(FOLLOW_UP_TEMPLATES[intent]).sort()).toEqual([...STYLES].sort());
      for (const style of STYLES) {
        const pair = FOLLOW_UP_TEMPLATES[intent][style];
        expect(pair).toHaveLength(2);
        expect(pair[0]).not.toBe(pair[1]);
        for (const t of pair) expect(t.trim().length).toBeGreaterThan(0);
        all.push(...pair);
      }
    }
    expect(new Set(all).size).toBe(all.length);
  });
});

describe("pickFollowUpIntent: summarize", () => {
  it("fires above 900 characters, not at 900", () => {
    expect(pickFollowUpIntent(ofLength("we 5", 901), NONE)).toBe("summarize");
    expect(pickFollowUpIntent(ofLength("We had 5", 900), NONE)).not.toBe("summarize");
  });
  it("fires above 190 wpm, not at 190", () => {
    expect(pickFollowUpIntent("short", { speakingRate: 190.1 })).toBe("summarize");
    expect(pickFollowUpIntent("short", { speakingRate: 190 })).toBe("clarify");
  });
  it("ignores a missing or null speaking rate", () => {
    expect(pickFollowUpIntent("short", { speakingRate: null })).toBe("clarify");
    expect(pickFollowUpIntent("short", undefined)).toBe("clarify");
    expect(pickFollowUpIntent("short", null)).toBe("clarify");
  });
  it("measures the stripped answer", () => {
    expect(pickFollowUpIntent(`   ${ofLength("a 1", 900)}   `, NONE)).not.toBe("summarize");
  });
});

describe("pickFollowUpIntent: clarify", () => {
  it("fires below 160 characters, not at 160", () => {
    expect(pickFollowUpIntent(ofLength("Result 1", 159), NONE)).toBe("clarify");
    expect(pickFollowUpIntent(ofLength("Result 1", 160), NONE)).toBe("impact");
  });
  it("fires for an empty answer", () => {
    expect(pickFollowUpIntent("", NONE)).toBe("clarify");
  });
  it("counts code points so an emoji counts once", () => {
    const base = ofLength("Result 1", 158);
    expect(pickFollowUpIntent(`${base}😀`, NONE)).toBe("clarify");
  });
});

describe("pickFollowUpIntent: numbers", () => {
  it("fires with no digits and no metric word", () => {
    expect(pickFollowUpIntent(ofLength("The rollout went well", 200), NONE)).toBe("numbers");
  });
  it("does not fire when there is a digit or a percent sign", () => {
    expect(pickFollowUpIntent(ofLength("The rollout went well 1", 200), NONE)).toBe("impact");
    expect(pickFollowUpIntent(ofLength("The rollout went well, fifty %", 200), NONE)).toBe("impact");
    expect(pickFollowUpIntent(ofLength("The rollout went well, fifty%", 200), NONE)).toBe("impact");
  });
  for (const word of ["percent", "ms", "latency", "revenue", "users", "KPI", "ROI", "errors", "cost"]) {
    it(`does not fire when the metric word "${word}" is a token`, () => {
      expect(pickFollowUpIntent(ofLength(`It improved the ${word} a lot`, 200), NONE)).toBe("impact");
    });
  }
  it("accepts singular and plural forms as tokens", () => {
    expect(pickFollowUpIntent(ofLength("It helped each user", 200), NONE)).toBe("impact");
    expect(pickFollowUpIntent(ofLength("It cut our costs", 200), NONE)).toBe("impact");
    expect(pickFollowUpIntent(ofLength("It moved the KPIs", 200), NONE)).toBe("impact");
  });
  it("is not suppressed by metric words inside other words (problems, teams, systems)", () => {
    expect(pickFollowUpIntent(ofLength("It fixed problems across teams and systems", 200), NONE)).toBe("numbers");
    expect(pickFollowUpIntent(ofLength("The costume errorless userspace", 200), NONE)).toBe("numbers");
  });
});

describe("pickFollowUpIntent: role", () => {
  it("fires when 'we' outnumbers 'I' by more than two", () => {
    expect(pickFollowUpIntent(ofLength("We built it, we shipped 2, we won", 200), NONE)).toBe("role");
    expect(pickFollowUpIntent(ofLength("We built it, we shipped 2, we won, we cheered, I led", 200), NONE)).toBe("role");
  });
  it("does not fire at a margin of exactly two", () => {
    expect(pickFollowUpIntent(ofLength("We built it, we shipped 2", 200), NONE)).toBe("impact");
    expect(pickFollowUpIntent(ofLength("We built it, we shipped 2, we won, I led", 200), NONE)).toBe("impact");
  });
  it("counts whole tokens, so 'weekly' or 'it' are not pronouns", () => {
    expect(pickFollowUpIntent(ofLength("weekly wee wet 2 went", 200), NONE)).toBe("impact");
  });
  it("counts contractions with their pronoun", () => {
    expect(pickFollowUpIntent(ofLength("We're fast, we've shipped 2, we'll win", 200), NONE)).toBe("role");
    expect(pickFollowUpIntent(ofLength("We're fast, we've shipped 2, we'll win, I'm proud", 200), NONE)).toBe("impact");
  });
  it("takes precedence over tradeoff", () => {
    expect(pickFollowUpIntent(ofLength("We chose it, we shipped 2, we won", 200), NONE)).toBe("role");
  });
});

describe("pickFollowUpIntent: tradeoff", () => {
  const words = [
    "tradeoff",
    "tradeoffs",
    "trade-off",
    "trade-offs",
    "trade offs",
    "decision",
    "decisions",
    "chose",
    "chosen",
    "choice",
    "choices",
    "versus",
    "vs",
    "vs.",
    "constraint",
    "constraints",
  ];
  for (const word of words) {
    it(`fires for "${word}"`, () => {
      expect(pickFollowUpIntent(ofLength(`Took 2 weeks, a ${word} there`, 200), NONE)).toBe("tradeoff");
    });
  }
  it("does not fire for the words inside other words", () => {
    expect(pickFollowUpIntent(ofLength("Took 2 weeks on the canvas, indecisionless chosely", 200), NONE)).toBe("impact");
  });
});

describe("pickFollowUpIntent: impact", () => {
  it("is the default when nothing else matches", () => {
    expect(pickFollowUpIntent(PLAIN_WITH_NUMBER, NONE)).toBe("impact");
  });
  it("is not affected by delivery metrics other than speaking rate", () => {
    expect(pickFollowUpIntent(PLAIN_WITH_NUMBER, { pauseRatio: 0.9, gaze: 0, fillers: 9, speakingRate: 100 })).toBe("impact");
  });
});

describe("pickFollowUp", () => {
  const base = { metrics: NONE, random: () => 0 };

  it("uses the behavioural non-answer follow-up for behavioural and leadership packs", () => {
    for (const style of STYLES) {
      for (const pack of ["swe_behavioral", "leadership"] as const) {
        expect(pickFollowUp({ ...base, answer: "I don't know", style, pack })).toEqual({
          text: STYLE_CARDS[style].nonAnswerFollowUp.behavioural,
          intent: "non_answer",
        });
      }
    }
  });

  it("uses the approach non-answer follow-up for the other packs", () => {
    for (const style of STYLES) {
      for (const pack of ["swe_system_design", "data_science_ml"] as const) {
        expect(pickFollowUp({ ...base, answer: "", style, pack })).toEqual({
          text: STYLE_CARDS[style].nonAnswerFollowUp.approach,
          intent: "non_answer",
        });
      }
    }
  });

  it("does not consume randomness for a non-answer", () => {
    let calls = 0;
    pickFollowUp({ answer: "skip", metrics: NONE, style: "neutral", pack: "leadership", random: () => (calls++, 0) });
    expect(calls).toBe(0);
  });

  it("picks template 0 for random < 0.5 and template 1 for random ≥ 0.5", () => {
    const pick = (r: number) =>
      pickFollowUp({ answer: "Short.", metrics: NONE, style: "cold", pack: "swe_behavioral", random: () => r });
    expect(pick(0)).toEqual({ text: FOLLOW_UP_TEMPLATES.clarify.cold[0], intent: "clarify" });
    expect(pick(0.4999).text).toBe(FOLLOW_UP_TEMPLATES.clarify.cold[0]);
    expect(pick(0.5).text).toBe(FOLLOW_UP_TEMPLATES.clarify.cold[1]);
    expect(pick(0.9999).text).toBe(FOLLOW_UP_TEMPLATES.clarify.cold[1]);
  });

  it("clamps an out-of-range RNG value", () => {
    const pick = (r: number) =>
      pickFollowUp({ answer: "Short.", metrics: NONE, style: "neutral", pack: "leadership", random: () => r }).text;
    expect(pick(1)).toBe(FOLLOW_UP_TEMPLATES.clarify.neutral[1]);
    expect(pick(-0.5)).toBe(FOLLOW_UP_TEMPLATES.clarify.neutral[0]);
  });

  it("uses the current style's templates for the chosen intent", () => {
    for (const style of STYLES) {
      expect(pickFollowUp({ ...base, answer: PLAIN_WITH_NUMBER, style, pack: "data_science_ml" })).toEqual({
        text: FOLLOW_UP_TEMPLATES.impact[style][0],
        intent: "impact",
      });
    }
  });

  it("passes metrics through to the intent choice", () => {
    expect(
      pickFollowUp({ answer: PLAIN_WITH_NUMBER, metrics: { speakingRate: 200 }, style: "supportive", pack: "leadership", random: () => 0.7 }),
    ).toEqual({ text: FOLLOW_UP_TEMPLATES.summarize.supportive[1], intent: "summarize" });
  });

  it("asks a design question's follow-up about the design, never for 'one specific action you took'", () => {
    const design = "How would you design a URL shortening service?";
    const short = pickFollowUp({ answer: "Hash it and store it.", metrics: NONE, style: "supportive", pack: "swe_system_design", random: () => 0.7, question: design });
    expect(short).toEqual({ text: DESIGN_FOLLOW_UP_TEMPLATES.clarify.supportive[1], intent: "clarify" });
    expect(short.text).not.toBe("What is one specific action you took that I could picture?");
    const weAnswer = ofLength("We would hash it to 7 characters, we would store it, we would cache it and we would shard it, and then we would go", 200);
    expect(pickFollowUp({ answer: weAnswer, metrics: NONE, style: "neutral", pack: "swe_system_design", random: () => 0, question: design }).intent).toBe("tradeoff");
    expect(pickFollowUp({ answer: PLAIN_WITH_NUMBER, metrics: NONE, style: "cold", pack: "swe_system_design", random: () => 0, question: design }).text).toBe(
      DESIGN_FOLLOW_UP_TEMPLATES.impact.cold[0],
    );
  });

  it("keeps the story follow-ups for a story question", () => {
    const story = "Tell me about a time you disagreed with a teammate.";
    expect(pickFollowUp({ answer: "Short.", metrics: NONE, style: "supportive", pack: "swe_system_design", random: () => 0.7, question: story }).text).toBe(
      FOLLOW_UP_TEMPLATES.clarify.supportive[1],
    );
  });
});
