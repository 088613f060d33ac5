/** Where a model's quote lies in the answer: exact words only, forgiving case, spacing, curly quotes and wrapping. */
import { describe, expect, it } from "vitest";
import { quoteSpan } from "../../../src/coach/quote-span.ts";

const ANSWER = "At my last company checkout timed out every evening.\nI profiled it,  found an N+1 query, and p99 dropped from 900 ms to 120 ms. It’s fixed.";

describe("quoteSpan", () => {
  it("finds an exact quote and returns offsets that slice it out of the answer", () => {
    const span = quoteSpan(ANSWER, "p99 dropped from 900 ms to 120 ms")!;
    expect(ANSWER.slice(span.from, span.to)).toBe("p99 dropped from 900 ms to 120 ms");
  });

  it("forgives case, runs of white space, curly quotes, wrapping quotation marks, ellipses and a final full stop", () => {
    const span = quoteSpan(ANSWER, '"...every evening. I PROFILED it, found an N+1 query..."')!;
    expect(ANSWER.slice(span.from, span.to)).toBe("every evening.\nI profiled it,  found an N+1 query");
    expect(ANSWER.slice(...Object.values(quoteSpan(ANSWER, "It's fixed.")!) as [number, number])).toBe("It’s fixed");
  });

  it("refuses a paraphrase, an invented quote, a reordering and a quote too short to mean anything", () => {
    expect(quoteSpan(ANSWER, "latency dropped from 900 ms to 120 ms")).toBeNull();
    expect(quoteSpan(ANSWER, "I led a team of twelve engineers")).toBeNull();
    expect(quoteSpan(ANSWER, "found a query N+1")).toBeNull();
    expect(quoteSpan(ANSWER, "I")).toBeNull();
    expect(quoteSpan(ANSWER, '"…"')).toBeNull();
  });
});
