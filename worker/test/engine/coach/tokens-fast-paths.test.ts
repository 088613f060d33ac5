/**
 * The analysis's fast paths give what the plain rules give: words lowered for the whole text
 * at once equal words lowered one by one (also where lowering changes a text's length or
 * depends on the next letter), and repeated phrases found from the repeated word pairs equal
 * a search over every run at every position (a reference copy of the rule, kept here).
 */
import { describe, expect, it } from "vitest";
import { repeatedPhrases } from "../../../src/coach/repeats.ts";
import { tokens, type Token } from "../../../src/coach/tokens.ts";
import type { RepeatedPhrase } from "../../../src/coach/types.ts";
import { seededRandom } from "../../helpers/seeded-random.ts";

const STOP = new Set([
  "a", "an", "the", "and", "or", "but", "so", "of", "to", "in", "on", "at", "for", "with", "it", "is", "was", "were",
  "i", "we", "my", "our", "that", "this", "as", "be", "by", "from", "had", "have", "he", "she", "they", "their",
  "would", "will", "could", "should", "can", "i'd", "we'd", "you", "your", "not", "are", "is",
]);

/** The rule as first written: every run of 4, 3 and 2 words at every position. */
function everyRun(ts: readonly Token[]): RepeatedPhrase[] {
  const covered = new Set<number>();
  const out: RepeatedPhrase[] = [];
  for (let n = 4; n >= 2; n--) {
    const at = new Map<string, number[]>();
    for (let i = 0; i + n <= ts.length; i++) {
      const key = ts.slice(i, i + n).map((t) => t.word).join(" ");
      at.set(key, [...(at.get(key) ?? []), i]);
    }
    for (const [phrase, starts] of at) {
      const contentful = phrase.split(" ").some((w) => !STOP.has(w));
      const needed = contentful && n > 2 ? 2 : 3;
      const separate = starts.filter((s, k) => k === 0 || s - starts[k - 1]! >= n);
      if (separate.length < needed || (n === 2 && !contentful)) continue;
      if (separate.every((s) => covered.has(s))) continue;
      for (const s of separate) for (let k = s; k < s + n; k++) covered.add(k);
      out.push({ phrase, spans: separate.map((s) => ({ from: ts[s]!.from, to: ts[s + n - 1]!.to })) });
    }
  }
  return out.sort((a, b) => a.spans[0]!.from - b.spans[0]!.from);
}

const WORDS = ["you", "know", "the", "cache", "was", "slow", "and", "then", "we", "so", "I", "shipped", "it", "Cache", "WAS", "don’t", "p99"];

describe("word lowering", () => {
  it("lowers each word as lowering it alone would, with offsets into the original", () => {
    for (const text of ["İSTANBUL office, İzmir team", "ΟΔΟΣ and ΣΟΦΙΑ", "I DON’T know", "Straße STRASSE", "plain words only"]) {
      const ts = tokens(text);
      for (const t of ts) {
        expect(t.raw).toBe(text.slice(t.from, t.to));
        expect(t.word).toBe(t.raw.toLowerCase().replace(/[\u2018\u2019\u02bc]/gu, "'"));
      }
    }
  });
  it("gives the same words for the same text twice, and the new text's words after another", () => {
    const first = tokens("We shipped it.");
    expect(tokens("We shipped it.")).toEqual(first);
    expect(tokens("Then we rolled back.").map((t) => t.word)).toEqual(["then", "we", "rolled", "back"]);
  });
});

describe("repeated phrases from repeated pairs", () => {
  it("equals the search over every run, on seeded answers", () => {
    const random = seededRandom(7);
    for (let run = 0; run < 300; run++) {
      const n = Math.floor(random() * 80);
      const text = Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(random() < 0.5 ? " " : ", ");
      const ts = tokens(text);
      expect(repeatedPhrases(text, ts)).toEqual(everyRun(ts));
    }
  });
});
