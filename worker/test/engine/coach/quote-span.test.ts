/** Where a model's quote lies in the answer: exact words only, forgiving case, spacing, curly quotes and wrapping. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { quoteSpan, trimQuote } from "../../../src/coach/quote-span.ts";
import { seededRandom } from "../../helpers/seeded-random.ts";

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


const evalSet = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../coach/eval-set.json"), "utf8")) as { answers: { answer: string }[] };
const folded = (text: string) => text.replace(/\s+/g, " ").replace(/[’‘]/g, "'").replace(/[“”]/g, '"').toLowerCase();

describe("quoteSpan (property, seeded, over the evaluation set's answers)", () => {
  it("finds every run of the answer's own words as a model might copy it, and its span slices out those words", () => {
    const random = seededRandom(11);
    let checked = 0;
    for (const { answer } of evalSet.answers) {
      const words = answer.split(/\s+/).filter(Boolean);
      for (let run = 0; run < 5 && words.length >= 3; run++) {
        const start = Math.floor(random() * (words.length - 2));
        const picked = words.slice(start, start + 2 + Math.floor(random() * 6));
        const core = picked.join(" ").replace(/[.,;:!?]+$/, "");
        if ((core.match(/[\p{L}\p{N}]/gu)?.length ?? 0) < 4) continue;
        // What a model does to a quote: case, spacing, wrapping quotation marks or an ellipsis.
        let copy = random() < 0.3 ? core.toUpperCase() : core;
        if (random() < 0.3) copy = copy.replace(/ /g, "  ");
        if (random() < 0.3) copy = `"${copy}"`;
        if (random() < 0.3) copy = `...${copy}...`;
        const span = quoteSpan(answer, copy);
        expect(span, `run ${run}: ${copy}`).not.toBeNull();
        expect(span!.from).toBeGreaterThanOrEqual(0);
        expect(span!.to).toBeLessThanOrEqual(answer.length);
        // The answer's own text of the words quoted (less any quotation marks around them).
        expect(folded(answer.slice(span!.from, span!.to))).toBe(folded(trimQuote(core).replace(/[.,;:!?]+$/, "")));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(250);
  });

  it("never finds a run with a word the answer does not have", () => {
    const random = seededRandom(12);
    for (const { answer } of evalSet.answers) {
      const words = answer.split(/\s+/).filter(Boolean);
      if (words.length < 4) continue;
      const start = Math.floor(random() * (words.length - 3));
      const picked = words.slice(start, start + 4);
      picked[1 + Math.floor(random() * 2)] = "zqxwv";
      expect(quoteSpan(answer, picked.join(" "))).toBeNull();
    }
  });
});
