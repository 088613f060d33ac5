/** Delivery from word timings: pace, band, fillers with times, the longest pause, windows. */
import { describe, expect, it } from "vitest";
import { analyzeDelivery, PACE_BANDS } from "../../../src/coach/delivery.ts";
import type { TimedWord } from "../../../src/coach/types.ts";

/** `n` words, one every `step` seconds from `at`, each lasting `step * 0.8`. */
function evenly(n: number, step: number, at = 0, word = "word"): TimedWord[] {
  return Array.from({ length: n }, (_, i) => ({ word, start: at + i * step, end: at + i * step + step * 0.8 }));
}

describe("analyzeDelivery", () => {
  it("gives nothing for fewer than two timed words or a zero span", () => {
    expect(analyzeDelivery([])).toBeNull();
    expect(analyzeDelivery([{ word: "hi", start: 0, end: 1 }])).toBeNull();
    expect(analyzeDelivery([{ word: "a", start: 1, end: 1 }, { word: "b", start: 1, end: 1 }])).toBeNull();
  });

  it("measures words per minute over the spoken span and without pauses over 1 s", () => {
    // 20 words from 0 to 9.9 s, a 5.1 s silence, 20 more from 15 to 24.9 s (gaps of 0.1 s between words).
    const words = [...evenly(20, 0.5), ...evenly(20, 0.5, 15)];
    const d = analyzeDelivery(words)!;
    expect(d.words).toBe(40);
    expect(d.spokenSeconds).toBeCloseTo(24.9, 5);
    expect(d.wpm).toBeCloseTo((40 / 24.9) * 60, 1);
    expect(d.wpmExcludingPauses).toBeCloseTo((40 / (24.9 - 5.1)) * 60, 1);
    expect(d.longestPause).toEqual({ at: 9.9, seconds: 5.1 });
  });

  it("states its bands and puts the pace in one", () => {
    // 30 words over 14.9 s: 121 a minute; over 8.94 s: 201; over 29.8 s: 60.
    expect(analyzeDelivery(evenly(30, 0.5))!.band).toBe("conversational");
    expect(analyzeDelivery(evenly(30, 0.5))!.bands).toEqual(PACE_BANDS);
    expect(analyzeDelivery(evenly(30, 0.3))!.band).toBe("fast");
    expect(analyzeDelivery(evenly(30, 1))!.band).toBe("slow");
  });

  it("lists each filler with its time and counts them per 100 words", () => {
    const words: TimedWord[] = [
      { word: "So", start: 0, end: 0.2 },
      { word: "um,", start: 0.3, end: 0.5 },
      { word: "you", start: 0.6, end: 0.7 },
      { word: "know", start: 0.7, end: 0.9 },
      { word: "the", start: 1, end: 1.1 },
      { word: "umbrella", start: 1.2, end: 1.6 },
      { word: "Uh", start: 1.7, end: 1.8 },
      { word: "cache", start: 1.9, end: 2.3 },
    ];
    const d = analyzeDelivery(words)!;
    expect(d.fillers).toEqual([
      { text: "um,", at: 0.3 },
      { text: "you know", at: 0.6 },
      { text: "Uh", at: 1.7 },
    ]);
    expect(d.fillersPer100Words).toBe(37.5);
  });

  it("profiles the pace over up to four windows of at least 5 s", () => {
    expect(analyzeDelivery(evenly(8, 0.5))!.pace).toHaveLength(1);
    const d = analyzeDelivery([...evenly(40, 0.25), ...evenly(10, 1, 10)])!;
    // 19.8 s spoken: three windows of 6.6 s; the fast first block fills the first.
    expect(d.pace).toHaveLength(3);
    expect(d.pace.map((w) => w.words)).toEqual([27, 17, 6]);
    expect(d.pace[0]!.wpm).toBeGreaterThan(d.pace[2]!.wpm);
    expect(d.pace.reduce((n, w) => n + w.words, 0)).toBe(50);
  });

  it("skips punctuation tokens and broken times", () => {
    const d = analyzeDelivery([{ word: "Yes", start: 0, end: 0.5 }, { word: ",", start: 0.5, end: 0.5 }, { word: "no", start: Number.NaN, end: 1 }, { word: "done", start: 2, end: 2.5 }])!;
    expect(d.words).toBe(2);
  });
});
