/** TTS word timings, the pure part (src/pipelines/word-timings.ts): caption spans, token times, span matching. */
import { describe, expect, it } from "vitest";
import { captionSpans, chunkWordTimes, ipaWords, timeSpans, type ChunkTiming } from "../src/pipelines/word-timings.ts";

describe("captionSpans", () => {
  it("cuts at whitespace, strips edge punctuation, keeps $100 and 3.5% whole, offsets index the input", () => {
    const input = `It costs $100, "really" (about 3.5%) — right?`;
    const spans = captionSpans(input);
    expect(spans.map((s) => s.word)).toEqual(["It", "costs", "$100", "really", "about", "3.5%", "right"]);
    for (const s of spans) expect(input.slice(s.from, s.to)).toBe(s.word);
  });
});

describe("chunkWordTimes", () => {
  // Kokoro layout: BOS, one token per phoneme character, EOS.
  const kokoro = (phonemes: string, durations: number[] | null): ChunkTiming => ({
    phonemes, tokenOfChar: Array.from(phonemes, (_c, j) => j + 1), tokensPerChar: 1, tokens: phonemes.length + 2, durations, offset: 0, samples: 24_000,
  });

  it("without durations every token lasts the same: time proportional to phonemes", () => {
    // "ab cd" -> 7 tokens over 1 s: ab = tokens 1..2, cd = tokens 4..5
    const t = chunkWordTimes(kokoro("ab cd", null), 24_000);
    expect(t).toHaveLength(2);
    expect(t[0]!.start).toBeCloseTo(1 / 7, 6);
    expect(t[0]!.end).toBeCloseTo(3 / 7, 6);
    expect(t[1]!.start).toBeCloseTo(4 / 7, 6);
    expect(t[1]!.end).toBeCloseTo(6 / 7, 6);
  });

  it("with the model's durations, scaled to fill the chunk's samples", () => {
    const t = chunkWordTimes(kokoro("ab cd", [0, 1, 1, 2, 4, 2, 0]), 24_000);
    expect(t[0]!.start).toBeCloseTo(0, 6);
    expect(t[0]!.end).toBeCloseTo(2 / 10, 6);
    expect(t[1]!.start).toBeCloseTo(4 / 10, 6);
    expect(t[1]!.end).toBeCloseTo(1, 6);
  });

  it("Piper layout: a pad after each phoneme belongs to its word; the chunk offset shifts times", () => {
    // ^ _ a _ b _ ' ' _ c _ $  -> 11 tokens
    const chunk: ChunkTiming = { phonemes: "ab c", tokenOfChar: [2, 4, 6, 8], tokensPerChar: 2, tokens: 11, durations: null, offset: 22_050, samples: 11 * 100 };
    const t = chunkWordTimes(chunk, 22_050);
    expect(t[0]!.start).toBeCloseTo(1 + 200 / 22_050, 6);
    expect(t[0]!.end).toBeCloseTo(1 + 600 / 22_050, 6);
    expect(t[1]!.start).toBeCloseTo(1 + 800 / 22_050, 6);
    expect(t[1]!.end).toBeCloseTo(1 + 1000 / 22_050, 6);
  });

  it("ipaWords counts spoken words, not punctuation", () => {
    expect(ipaWords("wˈʌn hˈʌndɹɪd dˈɑːlɚz, ɹˈiəli.")).toBe(4);
    expect(ipaWords(" , . ")).toBe(0);
  });
});

describe("timeSpans", () => {
  const spans = captionSpans("It costs $100 now");
  const words = [0, 1, 2, 3, 4, 5].map((k) => ({ start: k, end: k + 0.8 }));
  it("exact when the counts add up: $100 takes its three spoken words", () => {
    const t = timeSpans(spans, [1, 1, 3, 1], words);
    expect(t.map((w) => [w.word, w.start, w.end])).toEqual([["It", 0, 0.8], ["costs", 1, 1.8], ["$100", 2, 4.8], ["now", 5, 5.8]]);
  });
  it("proportional when they do not, never out of order; a span of no spoken word is a point", () => {
    const t = timeSpans(spans, [1, 1, 3, 1], words.slice(0, 4));
    expect(t.map((w) => w.word)).toEqual(["It", "costs", "$100", "now"]);
    for (let i = 1; i < t.length; i++) expect(t[i]!.start).toBeGreaterThanOrEqual(t[i - 1]!.start);
    const withSymbol = timeSpans(captionSpans("a & b"), [1, 0, 1], [{ start: 0, end: 1 }, { start: 2, end: 3 }]);
    expect(withSymbol[1]).toMatchObject({ word: "&", start: 1, end: 1 });
  });
});
