/**
 * Property: for any answer text, every evidence span lies inside the answer and every quoted
 * finding is the answer's text at its span; the whole `feedback` message fits its schema.
 * Answers are generated from a seeded source (reproducible; no extra dependency): words from
 * the evaluation set's vocabulary and the rules' cue phrases, mixed with punctuation, digits,
 * curly apostrophes, emoji, odd whitespace and random characters.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FeedbackMessageSchema } from "@interview/shared";
import { ANALYSED_CHARS_MAX, analyzeContent } from "../../../src/coach/analyze.ts";
import { analyzeDelivery } from "../../../src/coach/delivery.ts";
import type { ContentAnalysis, Span, TimedWord } from "../../../src/coach/types.ts";
import { seededRandom } from "../../helpers/seeded-random.ts";

const RUNS = 400;


const evalSet = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../coach/eval-set.json"), "utf8")) as { answers: { question: string; answer: string }[] };
const VOCABULARY = [
  ...new Set(evalSet.answers.flatMap((a) => a.answer.split(/\s+/u))),
  "I’m", "don’t", "I'd", "we've", "N+1", "p99", "900ms", "$60", "30%", "0.84", "…", "...", "—", "😀", "é", "ß", "İ", "\u200b", "e.g.", "U.S.",
  "um", "uh", "you know", "I think", "sort of", "my goal was", "as a result", "last year", "in 2022", "we had",
];
const GLUE = [" ", " ", " ", "  ", "\n", "\t", ", ", ". ", "! ", "? ", "; ", "", "-", "'", "\"", "(", ")"];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomAnswer(random: () => number): string {
  const n = Math.floor(random() * 120);
  let out = "";
  for (let i = 0; i < n; i++) {
    out += random() < 0.05 ? String.fromCharCode(Math.floor(random() * 0x2fff)) : pick(random, VOCABULARY);
    out += pick(random, GLUE);
  }
  return out;
}

function allSpans(c: ContentAnalysis): Span[] {
  return [
    ...Object.values(c.star).flatMap((p) => p.evidence),
    ...c.specificity.numbers, ...c.specificity.names, ...c.specificity.timeFrames,
    ...c.ownership.singular, ...c.ownership.plural, ...c.hedges, ...c.relevance.tied,
    ...c.repeats.flatMap((r) => r.spans),
  ];
}

describe("evidence spans (property)", () => {
  it(`lie inside the answer and quote it exactly, over ${RUNS} generated answers and the evaluation set`, () => {
    const random = seededRandom(20261130);
    const cases = [...evalSet.answers, ...Array.from({ length: RUNS }, () => ({ answer: randomAnswer(random), question: pick(random, evalSet.answers).question }))];
    cases.forEach(({ answer, question }, run) => {
      const content = analyzeContent(answer, question);
      for (const span of allSpans(content)) {
        expect(Number.isInteger(span.from) && Number.isInteger(span.to), `run ${run}`).toBe(true);
        expect(span.from >= 0 && span.from <= span.to && span.to <= answer.length, `run ${run}: ${JSON.stringify(span)}`).toBe(true);
        if ("text" in span) expect(answer.slice(span.from, span.to), `run ${run}`).toBe((span as { text: string }).text);
      }
      for (const r of content.repeats) {
        const said = r.spans.map((s) => answer.slice(s.from, s.to).toLowerCase().replace(/[\u2018\u2019\u02bc]/gu, "'").replace(/[^\p{L}\p{N}']+/gu, " "));
        for (const s of said) expect(s, `run ${run}`).toBe(r.phrase);
      }
      expect(FeedbackMessageSchema.safeParse({ type: "feedback", turn: 1, content, delivery: null }).success, `run ${run}`).toBe(true);
    });
  });

  it("analyses at most the first ANALYSED_CHARS_MAX characters of a very long answer, spans still inside it", () => {
    const answer = "At my last company I fixed the cache and p99 dropped from 900 ms to 120 ms. ".repeat(1000);
    const content = analyzeContent(answer, "What is the hardest bug you ever shipped?");
    const spans = allSpans(content);
    expect(spans.length).toBeGreaterThan(0);
    expect(Math.max(...spans.map((s) => s.to))).toBeLessThanOrEqual(ANALYSED_CHARS_MAX);
    for (const s of spans) if ("text" in s) expect(answer.slice(s.from, s.to)).toBe((s as { text: string }).text);
  });

  it("delivery from any word timings fits the schema and accounts for every word", () => {
    const random = seededRandom(7);
    for (let run = 0; run < RUNS; run++) {
      let t = random() * 3;
      const words: TimedWord[] = Array.from({ length: Math.floor(random() * 80) }, () => {
        const start = t + (random() < 0.1 ? random() * 4 : random() * 0.3);
        const end = start + random() * 0.6;
        t = end;
        return { word: random() < 0.1 ? pick(random, ["um", "uh", "like", ",", ""]) : pick(random, VOCABULARY), start, end };
      });
      const delivery = analyzeDelivery(words);
      if (delivery === null) continue;
      expect(FeedbackMessageSchema.safeParse({ type: "feedback", turn: 1, content: analyzeContent("", ""), delivery }).success, `run ${run}`).toBe(true);
      expect(delivery.pace.reduce((n, w) => n + w.words, 0), `run ${run}`).toBe(delivery.words);
      expect(delivery.fillers.length).toBeLessThanOrEqual(delivery.words);
    }
  });
});
