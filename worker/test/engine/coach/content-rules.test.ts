/** Specificity, ownership, hedges, repeated phrases and relevance, each with its spans. */
import { describe, expect, it } from "vitest";
import { analyzeContent } from "../../../src/coach/analyze.ts";
import type { Found } from "../../../src/coach/types.ts";

const texts = (found: readonly Found[]) => found.map((f) => f.text);
/** Every finding's text is the answer's text at its span. */
function spansMatch(answer: string, found: readonly Found[]): void {
  for (const f of found) expect(answer.slice(f.from, f.to)).toBe(f.text);
}

describe("specificity", () => {
  const answer = "At Acme I profiled it, found an N+1 query in Redis, and p99 dropped from 900 ms to 120 ms, 30% fewer errors, saving $60 thousand dollars within two months.";
  const found = analyzeContent(answer, "What is the hardest bug you ever shipped?").specificity;
  it("takes numbers with the unit that follows (ms, %, $, number words)", () => {
    expect(texts(found.numbers)).toEqual(["900 ms", "120 ms", "30%", "$60 thousand dollars", "two months"]);
    spansMatch(answer, found.numbers);
  });
  it("takes named systems, tools and roles, not sentence openers", () => {
    expect(texts(found.names)).toEqual(expect.arrayContaining(["Acme", "Redis"]));
    expect(texts(analyzeContent("The product manager and I chose Postgres.", "").specificity.names)).toEqual(["product manager", "Postgres"]);
    expect(texts(analyzeContent("Then it worked.", "").specificity.names)).toEqual([]);
  });
  it("takes time frames", () => {
    expect(texts(found.timeFrames)).toEqual(["within two months"]);
    const other = analyzeContent("Last year, in 2022, we met every week and it shipped three weeks later.", "").specificity.timeFrames;
    expect(texts(other)).toEqual(["Last year", "in 2022", "every week", "three weeks later"]);
  });
  it("does not count a bare number word ('one of them') as a number", () => {
    expect(analyzeContent("One of them helped.", "").specificity.numbers).toEqual([]);
  });
});

describe("ownership", () => {
  it("separates I-actions from we-actions, with the subject-to-verb span", () => {
    const answer = "We shipped it. I wrote the tests, and we reviewed them; I think it helped.";
    const { singular, plural } = analyzeContent(answer, "").ownership;
    expect(texts(singular)).toEqual(["I wrote"]);
    expect(texts(plural)).toEqual(["We shipped", "we reviewed"]);
    spansMatch(answer, [...singular, ...plural]);
  });
  it("spans the adverb between subject and verb", () => {
    expect(texts(analyzeContent("I then rolled it back.", "").ownership.singular)).toEqual(["I then rolled"]);
  });
});

describe("hedges", () => {
  it("finds hedges as phrases, longest first, with curly apostrophes folded", () => {
    const answer = "I think it was maybe sort of faster, I’m not sure.";
    const hedges = analyzeContent(answer, "").hedges;
    expect(texts(hedges)).toEqual(["I think", "maybe", "sort of", "I’m not sure"]);
    spansMatch(answer, hedges);
  });
  it("does not match inside words", () => {
    expect(analyzeContent("Mightily kindly.", "").hedges).toEqual([]);
  });
});

describe("repeated phrases", () => {
  it("reports a phrase said again, with each occurrence's span", () => {
    const answer = "You know, the cache was slow, you know, and the cache was cold, you know.";
    const repeats = analyzeContent(answer, "").repeats;
    expect(repeats.map((r) => r.phrase)).toEqual(["you know", "the cache was"]);
    expect(repeats[0]!.spans.map((s) => answer.slice(s.from, s.to))).toEqual(["You know", "you know", "you know"]);
  });
  it("ignores stop-word pairs and single repeats of two words", () => {
    expect(analyzeContent("and the and the and the cache", "").repeats).toEqual([]);
    expect(analyzeContent("big cache, big cache", "").repeats).toEqual([]);
  });
});

describe("relevance", () => {
  it("scores the share of the question's key words taken up, and names the tying words", () => {
    const r = analyzeContent("I disagreed with a colleague about the schema.", "Tell me about a time you disagreed with a teammate.").relevance;
    expect(r.keywords).toEqual(["disagreed", "teammate"]);
    expect(texts(r.tied)).toEqual(["disagreed", "colleague"]);
    expect(r.score).toBe(1);
  });
  it("scores an off-topic answer 0", () => {
    const r = analyzeContent("What salary range are you offering?", "How would you design a URL shortening service?").relevance;
    expect(r.score).toBe(0);
    expect(r.tied).toEqual([]);
  });
  it("is 1 when the question has no key words", () => {
    expect(analyzeContent("Anything.", "Tell me about you.").relevance.score).toBe(1);
  });
});
