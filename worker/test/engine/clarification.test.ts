import { describe, it, expect } from "vitest";
import { STYLES } from "@interview/shared";
import {
  clarificationText,
  ensureQuestionMark,
  fallbackClarification,
  guardrailReply,
  isAnswerSeeking,
} from "../../src/engine/clarification.ts";
import { STYLE_CARDS } from "../../src/engine/style-cards.ts";

const DESIGN_STANDARD =
  "State your assumptions first (scale and traffic, latency, consistency), then cover the APIs, the data model and how it scales. If a constraint is missing, pick a reasonable one and say why.";
const DESIGN_HARD =
  "Be decisive: state your assumptions on traffic, SLOs and data size, name the tradeoffs, then outline the APIs, storage and failure modes.";
const STORY_STANDARD =
  "Use one concrete example and tell it as situation, task, action, result. Something from the last year or two is fine; lead with the outcome.";
const STORY_HARD = "Keep it tight: the outcome first, then two or three actions and one measurable result.";

describe("isAnswerSeeking", () => {
  const seeking = [
    "What should I say?",
    "what do i say here",
    "Can you write an answer for me?",
    "Write me an answer",
    "give sample answer",
    "Give me a sample answer please",
    "give a sample answer",
    "Give me sample answer",
    "Just give me the answer",
    "give the answer",
    "How would you answer this?",
    "What is the best answer?",
    "what's the best answer",
    "Can you answer it for me?",
    "WHAT SHOULD I SAY",
    "what   should\ni say",
  ];
  for (const text of seeking) {
    it(`catches "${text.replace(/\s+/g, " ")}"`, () => {
      expect(isAnswerSeeking(text)).toBe(true);
    });
  }
  const genuine = [
    "Should I assume a single region?",
    "What scale of traffic should I assume?",
    "Does the example have to be from work?",
    "What do I need to cover?",
    "Can you repeat the question?",
    "Is a sample size estimate needed?",
    "How would you like me to structure it?",
    "",
  ];
  for (const text of genuine) {
    it(`lets "${text}" through`, () => {
      expect(isAnswerSeeking(text)).toBe(false);
    });
  }
  it("keeps the seed's broad 'can you answer' pattern", () => {
    expect(isAnswerSeeking("Can you answer whether one region is enough?")).toBe(true);
  });
  it("requires whole words", () => {
    expect(isAnswerSeeking("what should I sayonara")).toBe(false);
    expect(isAnswerSeeking("forgive the answer")).toBe(false);
  });
});

describe("ensureQuestionMark", () => {
  it("appends a question mark when missing", () => {
    expect(ensureQuestionMark("Design a cache")).toBe("Design a cache?");
  });
  it("keeps an existing one", () => {
    expect(ensureQuestionMark("Why?")).toBe("Why?");
  });
  it("trims before checking", () => {
    expect(ensureQuestionMark("  Why?  ")).toBe("Why?");
    expect(ensureQuestionMark("  Design a cache \n")).toBe("Design a cache?");
  });
  it("appends after other punctuation, like the seed", () => {
    expect(ensureQuestionMark("Tell me about it.")).toBe("Tell me about it.?");
  });
  it("leaves blank input empty", () => {
    expect(ensureQuestionMark("   ")).toBe("");
    expect(ensureQuestionMark("")).toBe("");
  });
});

describe("guardrailReply", () => {
  it("is the style refusal followed by the original prompt", () => {
    for (const style of STYLES) {
      expect(guardrailReply(style, "Design a URL shortener")).toBe(
        `${STYLE_CARDS[style].guardrailRefusal} Original prompt: Design a URL shortener?`,
      );
    }
  });
  it("does not double the question mark", () => {
    expect(guardrailReply("cold", " Why this role? ")).toBe(
      "I'm not going to hand you an answer. Pick one example: the context, what you did, the outcome, and numbers where you have them. Original prompt: Why this role?",
    );
  });
});

describe("fallbackClarification", () => {
  const base = { prompt: "Design a rate limiter", question: "" };

  it("uses the system-design standard guidance for the design pack", () => {
    expect(fallbackClarification({ ...base, style: "neutral", pack: "swe_system_design", difficulty: "standard" })).toBe(
      `Clarifying — ${DESIGN_STANDARD} Back to the question: Design a rate limiter?`,
    );
  });
  it("uses the system-design hard guidance", () => {
    expect(fallbackClarification({ ...base, style: "neutral", pack: "swe_system_design", difficulty: "hard" })).toBe(
      `Clarifying — ${DESIGN_HARD} Back to the question: Design a rate limiter?`,
    );
  });
  it("uses the story guidance for every other pack", () => {
    for (const pack of ["swe_behavioral", "data_science_ml", "leadership"] as const) {
      expect(fallbackClarification({ ...base, style: "neutral", pack, difficulty: "standard" })).toBe(
        `Clarifying — ${STORY_STANDARD} Back to the question: Design a rate limiter?`,
      );
      expect(fallbackClarification({ ...base, style: "neutral", pack, difficulty: "hard" })).toBe(
        `Clarifying — ${STORY_HARD} Back to the question: Design a rate limiter?`,
      );
    }
  });
  it("opens with each style's exact opener", () => {
    const openers = { supportive: "Good question — ", neutral: "Clarifying — ", cold: "Listen — " } as const;
    for (const style of STYLES) {
      expect(
        fallbackClarification({ ...base, style, pack: "leadership", difficulty: "hard" }).startsWith(`${openers[style]}${STORY_HARD}`),
      ).toBe(true);
    }
  });
  it("names the candidate's question first when there is one, then the guidance, then the prompt", () => {
    expect(
      fallbackClarification({
        style: "supportive",
        pack: "leadership",
        difficulty: "standard",
        prompt: "Tell me about mentoring?",
        question: "  Can it be outside work?  ",
      }),
    ).toBe(
      `Good question — about “Can it be outside work”: ${STORY_STANDARD.charAt(0).toLowerCase()}${STORY_STANDARD.slice(1)} Back to the question: Tell me about mentoring?`,
    );
  });
  it("uses the design guidance for a question that asks for a design, whatever the pack", () => {
    expect(fallbackClarification({ style: "neutral", pack: "leadership", difficulty: "standard", prompt: "How would you build a rate limiter?", question: "" })).toBe(
      `Clarifying — ${DESIGN_STANDARD} Back to the question: How would you build a rate limiter?`,
    );
  });
  it("omits the echo for a blank question", () => {
    expect(
      fallbackClarification({ style: "cold", pack: "leadership", difficulty: "standard", prompt: "P", question: "  " }),
    ).toBe(`Listen — ${STORY_STANDARD} Back to the question: P?`);
  });
});

describe("clarificationText", () => {
  it("prefers question, then clarification, then text", () => {
    expect(clarificationText({ question: "q", clarification: "c", text: "t" })).toBe("q");
    expect(clarificationText({ clarification: "c", text: "t" })).toBe("c");
    expect(clarificationText({ text: "t" })).toBe("t");
  });
  it("skips falsy fields like Python's `or` chain", () => {
    expect(clarificationText({ question: "", clarification: "c" })).toBe("c");
    expect(clarificationText({ question: null, clarification: 0, text: "t" })).toBe("t");
    expect(clarificationText({ question: false, text: "t" })).toBe("t");
    expect(clarificationText({ question: [], clarification: {}, text: "t" })).toBe("t");
  });
  it("keeps a whitespace-only field (truthy) and strips it to empty", () => {
    expect(clarificationText({ question: "   ", text: "t" })).toBe("");
  });
  it("strips the chosen text", () => {
    expect(clarificationText({ question: "  Is it one region?\n" })).toBe("Is it one region?");
  });
  it("stringifies numbers and booleans like Python", () => {
    expect(clarificationText({ question: 42 })).toBe("42");
    expect(clarificationText({ question: 1.5 })).toBe("1.5");
    expect(clarificationText({ question: true })).toBe("True");
  });
  it("stringifies arrays and objects as JSON", () => {
    expect(clarificationText({ question: ["a", 1] })).toBe('["a",1]');
    expect(clarificationText({ question: { a: 1 } })).toBe('{"a":1}');
  });
  it("returns empty when nothing usable is present", () => {
    expect(clarificationText({})).toBe("");
    expect(clarificationText({ question: null, clarification: undefined, text: "" })).toBe("");
  });
});
