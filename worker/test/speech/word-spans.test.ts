import { describe, expect, it } from "vitest";
import { estimateWordTimings, heardText } from "../../src/durable/voice/word-spans.ts";

describe("estimated word spans of the interviewer's audio", () => {
  it("index the text as written: punctuation outside, $100 one span, ordered within the audio", () => {
    const text = "Say it: we saved $100, (about 20%) in 2024.";
    const words = estimateWordTimings(text, 3_000);
    expect(words.map((w) => text.slice(w.from, w.to))).toEqual(["Say", "it", "we", "saved", "$100", "about", "20%", "in", "2024"]);
    for (const w of words) expect(w.word).toBe(text.slice(w.from, w.to));
    let last = 0;
    for (const w of words) {
      expect(w.start).toBeGreaterThanOrEqual(last);
      expect(w.end).toBeGreaterThan(w.start);
      last = w.end;
    }
    expect(words[0]!.start).toBeGreaterThan(0);
    expect(last).toBeLessThanOrEqual(3);
    // Numbers take longer to say than their characters suggest.
    const span = (word: string) => words.find((w) => w.word === word)!;
    expect(span("2024").end - span("2024").start).toBeGreaterThan(span("saved").end - span("saved").start);
  });

  it("nothing to time: no words, or no audio", () => {
    expect(estimateWordTimings("  ... ", 1_000)).toEqual([]);
    expect(estimateWordTimings("Hello there.", 0)).toEqual([]);
  });

  it("heard text: up to the last word that finished playing", () => {
    const text = "Tell me about a project.";
    const words = estimateWordTimings(text, 2_000);
    expect(heardText(text, words, 0)).toBe("");
    expect(heardText(text, words, words[1]!.end * 1000)).toBe("Tell me");
    expect(heardText(text, words, 2_000)).toBe("Tell me about a project");
  });
});
