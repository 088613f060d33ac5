/** The no-invented-answers filter (src/pipelines/hallucination.ts): pure text rules. */
import { describe, expect, it } from "vitest";
import { checkTranscript, trailingLoop, trimSegments } from "../src/pipelines/hallucination.ts";

describe("checkTranscript", () => {
  it.each([
    "Thank you.", "thank you", "Thanks for watching!", "Thank you for watching.", "Thank you. Thank you.",
    "Please subscribe to my channel.", "Bye.", "you", " Thanks for watching and see you next time! ",
    "Subtitles by the Amara.org community", "Subtitles by Steve", "Captions by GetTranscribed.com", "Transcribed by Otter.ai",
  ])("known phrase %j is no speech", (text) => {
    expect(checkTranscript(text)).toMatchObject({ kind: "no_speech", reason: "known_phrase" });
  });

  it.each(["[Music]", "(upbeat music)", "♪", "♪ ♪ ♪", "[BLANK_AUDIO]", "...", "*sigh*", "[Music] [Applause]"])("sound tag %j is no speech", (text) => {
    expect(checkTranscript(text)).toMatchObject({ kind: "no_speech", reason: "sound_tag" });
  });

  it.each(["the the the the", "Okay. Okay. Okay. Okay. Okay.", "I think I think I think I think", "so, so, so, so, so, so, so"])("a loop over the whole transcript %j is no speech", (text) => {
    expect(checkTranscript(text)).toMatchObject({ kind: "no_speech", reason: "repetition" });
  });

  it("real text followed by a loop keeps the text and one occurrence", () => {
    const v = checkTranscript("I led the migration to the new billing system and it went well well well well well well");
    expect(v).toEqual({ kind: "trimmed", text: "I led the migration to the new billing system and it went well", removed: "well well well well well" });
    const phrase = checkTranscript("My answer is yes. and then we and then we and then we and then we");
    expect(phrase).toMatchObject({ kind: "trimmed", text: "My answer is yes. and then we" });
  });

  it.each([
    "Thank you for the question. I worked on payments for three years.",
    "I would say thank you to the team.",
    "No, no, no, that was not my decision.",
    "We tested it, tested it again, and shipped.",
    "Hello world.",
  ])("real speech %j is kept as it is", (text) => {
    expect(checkTranscript(text)).toEqual({ kind: "speech", text });
  });

  it("empty text is no speech", () => {
    expect(checkTranscript("  ")).toMatchObject({ kind: "no_speech" });
  });
});

describe("trailingLoop and trimSegments", () => {
  it("finds the smallest repeated unit at the end, at least 4 times", () => {
    expect(trailingLoop(["a", "b", "c", "c", "c", "c"])).toEqual({ unit: 1, start: 2, repeats: 4 });
    expect(trailingLoop(["a", "b", "c", "c", "c"])).toBeNull();
    expect(trailingLoop(["x", "a", "b", "a", "b", "a", "b", "a", "b"])).toEqual({ unit: 2, start: 1, repeats: 4 });
    expect(trailingLoop([])).toBeNull();
  });

  it("cuts segments to the kept words", () => {
    const segments = [{ id: 0, start: 0, end: 1, text: " one two" }, { id: 1, start: 1, end: 2, text: " three four five" }, { id: 2, start: 2, end: 3, text: " six" }];
    expect(trimSegments(segments, 3)).toEqual([segments[0], { ...segments[1], text: " three" }]);
    expect(trimSegments(segments, 6)).toEqual(segments);
    expect(trimSegments(segments, 0)).toEqual([]);
  });
});
