/**
 * The delivery metrics of a spoken answer: words per minute over the spoken span (word
 * timestamps), the pause ratio over that same span (from the speech worker's speech seconds),
 * fillers counted as tokens.
 * Not covered here: the transcription itself (test/speech-workerd, with the real speech worker).
 */
import { describe, expect, it } from "vitest";
import { deliveryMetrics, pauseRatio, wordsPerMinute, type TimedWord } from "../../src/speech/delivery-metrics.ts";

const words = (...spans: [string, number, number][]): TimedWord[] => spans.map(([word, start, end]) => ({ word, start, end }));

describe("wordsPerMinute", () => {
  it("counts words over first start to last end", () => {
    // 5 words over 2.5 s = 120 wpm; leading and trailing silence (0..1 s, after 3.5 s) do not count.
    expect(wordsPerMinute(words(["so", 1, 1.4], ["I", 1.5, 1.6], ["shipped", 1.8, 2.4], ["it", 2.6, 3], ["today", 3.1, 3.5]))).toBe(120);
  });

  it("counts pauses inside the span, so a slow speaker is slow", () => {
    expect(wordsPerMinute(words(["first", 0, 0.5], ["second", 0.6, 1], ["third", 1.1, 1.5], ["fourth", 1.6, 2], ["fifth", 14.5, 15]))).toBe(20);
  });

  it("is null below 5 words or a span under 2 s, where a rate would be absurd", () => {
    expect(wordsPerMinute([])).toBeNull();
    expect(wordsPerMinute(words(["hello", 0, 0.4]))).toBeNull();
    // Two words 0.1 s apart would be 1200 wpm; four over 3 s would still be a guess.
    expect(wordsPerMinute(words(["hello", 0, 0.05], ["world", 0.05, 0.1]))).toBeNull();
    expect(wordsPerMinute(words(["a", 0, 0.5], ["b", 1, 1.5], ["c", 2, 2.5], ["d", 2.5, 3]))).toBeNull();
    expect(wordsPerMinute(words(["a", 0, 0.3], ["b", 0.4, 0.7], ["c", 0.8, 1.1], ["d", 1.2, 1.5], ["e", 1.6, 1.99]))).toBeNull();
    expect(wordsPerMinute(words(["a", 1, 1], ["b", 1, 1], ["c", 1, 1], ["d", 1, 1], ["e", 1, 1]))).toBeNull();
    expect(wordsPerMinute(words(["a", 0, 0.3], ["b", 0.4, 0.7], ["c", 0.8, 1.1], ["d", 1.2, 1.5], ["e", 1.6, 2]))).toBe(150);
  });

  it("ignores punctuation-only tokens and non-finite times, and does not need sorted words", () => {
    expect(wordsPerMinute(words(["world", 0.5, 1], ["...", 3, 9], ["again", 1, 1.5], ["and", 1.5, 2], ["again", 2, 2.5], ["hello", 0, 0.5], ["x", Number.NaN, 2]))).toBe(120);
  });

  it("rounds to 0.1 wpm", () => {
    expect(wordsPerMinute(words(["a", 0, 0.3], ["b", 0.4, 0.7], ["c", 0.8, 1.7], ["d", 1.8, 2.2], ["e", 2.3, 2.7]))).toBe(111.1);
  });
});

describe("pauseRatio", () => {
  it("is the share of the spoken span without speech; silence before and after the words does not count", () => {
    // A 5 s clip: words from 1 s to 3 s, 1.5 s of speech. Over the clip it would be 0.7.
    expect(pauseRatio(words(["so", 1, 1.5], ["it", 2, 3]), 1.5)).toBe(0.25);
    expect(deliveryMetrics({ text: "so it", words: words(["so", 1, 1.5], ["it", 2, 3]), pause_ratio: 0.7, speech_seconds: 1.5 }).pauseRatio).toBe(0.25);
  });

  it("is null when the span or the speech seconds are unknown, and clamps to 0..1", () => {
    expect(pauseRatio([], 1)).toBeNull();
    expect(pauseRatio(words(["...", 0, 2]), 1)).toBeNull();
    expect(pauseRatio(words(["a", 1, 1]), 0)).toBeNull();
    expect(pauseRatio(words(["a", 0, 1]), null)).toBeNull();
    expect(pauseRatio(words(["a", 0, 1]), Number.NaN)).toBeNull();
    expect(pauseRatio(words(["a", 0, 1], ["b", 1, 2]), 2.5)).toBe(0);
    expect(pauseRatio(words(["a", 0, 1]), 0)).toBe(1);
  });
});

describe("deliveryMetrics", () => {
  it("combines rate, the pause ratio over the spoken span, fillers from the transcript and speech seconds", () => {
    const metrics = deliveryMetrics({
      text: "Um, I think, you know, we shipped it. Umbrella.",
      words: words(["Um", 0, 0.3], ["I", 0.4, 0.5], ["think", 0.5, 0.9], ["you", 1, 1.1], ["know", 1.1, 1.3], ["we", 1.5, 1.6], ["shipped", 1.6, 2], ["it", 2, 2.1], ["Umbrella", 2.5, 3]),
      pause_ratio: 0.9,
      speech_seconds: 2.3,
    });
    // 1 − 2.3 / 3; the worker's own pause_ratio (over the whole clip) is not used.
    expect(metrics).toEqual({ speakingRate: 180, pauseRatio: 0.2333, fillers: 2, speechSeconds: 2.3 });
  });

  it("is null where the server did not measure", () => {
    expect(deliveryMetrics({ text: "", words: [], pause_ratio: null, speech_seconds: null })).toEqual({
      speakingRate: null,
      pauseRatio: null,
      fillers: 0,
      speechSeconds: null,
    });
    expect(deliveryMetrics({ text: "ok", words: words(["ok", 0, 1]), pause_ratio: 0.5, speech_seconds: -1 })).toMatchObject({ pauseRatio: null, speechSeconds: null });
    expect(deliveryMetrics({ text: "ok", words: [], pause_ratio: 0.5, speech_seconds: 1 })).toMatchObject({ pauseRatio: null, speechSeconds: 1 });
  });
});
