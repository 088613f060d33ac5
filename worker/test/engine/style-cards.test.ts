import { describe, it, expect } from "vitest";
import { STYLES } from "@interview/shared";
import { STYLE_CARDS } from "../../src/engine/style-cards.ts";

describe("STYLE_CARDS", () => {
  it("has exactly one card per style, keyed by its own style", () => {
    expect(Object.keys(STYLE_CARDS).sort()).toEqual([...STYLES].sort());
    for (const style of STYLES) expect(STYLE_CARDS[style].style).toBe(style);
  });

  it("uses the seed's exact tip prefixes", () => {
    expect(STYLE_CARDS.supportive.tipPrefix).toBe("Encouraging: ");
    expect(STYLE_CARDS.neutral.tipPrefix).toBe("");
    expect(STYLE_CARDS.cold.tipPrefix).toBe("Direct: ");
  });

  it("uses the seed's acknowledgement counts and the exact neutral/cold options", () => {
    expect(STYLE_CARDS.supportive.acknowledgements).toHaveLength(3);
    expect(STYLE_CARDS.neutral.acknowledgements).toEqual(["Got it.", "Okay.", "Understood."]);
    expect(STYLE_CARDS.cold.acknowledgements).toEqual(["Okay.", "Alright."]);
  });

  it("gives supportive acknowledgements in the thanks / got-it family", () => {
    for (const ack of STYLE_CARDS.supportive.acknowledgements) expect(ack).toMatch(/^(thanks|got it)/i);
  });

  it("uses the seed's exact reframe words", () => {
    expect(STYLE_CARDS.supportive.reframePreface).toBe("No worries.");
    expect(STYLE_CARDS.neutral.reframePreface).toBe("Okay.");
    expect(STYLE_CARDS.cold.reframePreface).toBe("Alright.");
  });

  it("uses the seed's exact clarification openers", () => {
    expect(STYLE_CARDS.supportive.clarificationOpener).toBe("Good question — ");
    expect(STYLE_CARDS.neutral.clarificationOpener).toBe("Clarifying — ");
    expect(STYLE_CARDS.cold.clarificationOpener).toBe("Listen — ");
  });

  it("uses the seed's TTS speeds", () => {
    expect(STYLE_CARDS.supportive.ttsSpeed).toBe(1.06);
    expect(STYLE_CARDS.neutral.ttsSpeed).toBe(1.0);
    expect(STYLE_CARDS.cold.ttsSpeed).toBe(0.94);
  });

  it("describes the LLM tone per style", () => {
    expect(STYLE_CARDS.supportive.llmTone).toBe("warm and encouraging");
    expect(STYLE_CARDS.neutral.llmTone).toBe("direct and calm");
    expect(STYLE_CARDS.cold.llmTone).toBe("pressuring and blunt");
  });

  it("fills every prose field with a distinct, non-empty text per style", () => {
    const prose = (style: (typeof STYLES)[number]): string[] => {
      const c = STYLE_CARDS[style];
      return [
        c.moveOnPreface,
        c.nonAnswerFollowUp.behavioural,
        c.nonAnswerFollowUp.approach,
        c.guardrailRefusal,
        c.endMessages.time_limit,
        c.endMessages.max_questions,
        c.endMessages.other,
      ];
    };
    for (const style of STYLES) {
      for (const text of prose(style)) expect(text.trim().length).toBeGreaterThan(0);
      expect(new Set(prose(style)).size).toBe(7);
    }
    const all = STYLES.flatMap(prose);
    expect(new Set(all).size).toBe(all.length);
  });

  it("phrases non-answer follow-ups as questions", () => {
    for (const style of STYLES) {
      expect(STYLE_CARDS[style].nonAnswerFollowUp.behavioural.endsWith("?")).toBe(true);
      expect(STYLE_CARDS[style].nonAnswerFollowUp.approach.endsWith("?")).toBe(true);
    }
  });

  it("is frozen at the top level", () => {
    expect(Object.isFrozen(STYLE_CARDS)).toBe(true);
  });
});
