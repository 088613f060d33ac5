/** Tolerant extraction and validation of model replies; content rules only, no HTTP. */
import { describe, expect, it } from "vitest";
import { extractJson, parseClarification, parseCoaching, parseQuestion, QUESTION_MAX_CHARS } from "../../src/model/nvidia/reply-parsing.ts";

describe("extractJson", () => {
  it("reads bare JSON, a fenced block, and JSON wrapped in prose", () => {
    expect(extractJson('{"a":1}')).toEqual({ a: 1 });
    expect(extractJson('Sure!\n```json\n{"a":2}\n```\nHope that helps')).toEqual({ a: 2 });
    expect(extractJson('Here you go: {"a":3} -- done')).toEqual({ a: 3 });
    expect(extractJson("no json here")).toBeNull();
    expect(extractJson('{"a": ')).toBeNull();
  });
});

describe("parseCoaching", () => {
  const tips = [
    { summary: "Lead with the result", detail: "Say the outcome first." },
    { summary: "Quantify", text: "Give one number." },
    { summary: "Third", detail: "dropped" },
  ];
  it("accepts follow_up, followup and followUp, and tips with detail or text, at most two", () => {
    for (const key of ["follow_up", "followup", "followUp"]) {
      const parsed = parseCoaching(JSON.stringify({ [key]: "  What changed after that?  ", tips }));
      expect(parsed).toEqual({
        followUp: "What changed after that?",
        tips: [
          { summary: "Lead with the result", detail: "Say the outcome first." },
          { summary: "Quantify", detail: "Give one number." },
        ],
      });
    }
  });
  const twoTips = [
    { summary: "Lead with the result", detail: "Say the outcome first." },
    { summary: "Quantify", detail: "Give one number." },
  ];
  it("keeps the tips when the follow-up is null or not a string, instead of crashing or dropping them", () => {
    for (const followUp of [null, 42, ["a"], { text: "x" }, true]) {
      expect(parseCoaching(JSON.stringify({ follow_up: followUp, tips }))).toEqual({ followUp: null, tips: twoTips });
    }
    expect(parseCoaching(JSON.stringify({ follow_up: null, tips: null }))).toBeNull();
  });
  it("keeps the follow-up when tips are null or not a list", () => {
    expect(parseCoaching(JSON.stringify({ follow_up: "Why then?", tips: null }))).toEqual({ followUp: "Why then?", tips: null });
    expect(parseCoaching(JSON.stringify({ follow_up: "Why then?", tips: "none" }))).toEqual({ followUp: "Why then?", tips: null });
  });
  it("takes the first non-empty of follow_up, followup and followUp, like the seed's `or`", () => {
    expect(parseCoaching(JSON.stringify({ follow_up: "", followup: "What broke first?" }))).toEqual({ followUp: "What broke first?", tips: null });
    expect(parseCoaching(JSON.stringify({ follow_up: "  ", followup: null, followUp: "Who decided?" }))).toEqual({ followUp: "Who decided?", tips: null });
    expect(parseCoaching(JSON.stringify({ follow_up: 7, followUp: "Who decided?" }))).toEqual({ followUp: "Who decided?", tips: null });
    expect(parseCoaching(JSON.stringify({ follow_up: "First?", followup: "Second?" }))).toEqual({ followUp: "First?", tips: null });
    expect(parseCoaching(JSON.stringify({ follow_up: "", followup: "", tips }))).toEqual({ followUp: null, tips: twoTips });
  });
  it("drops malformed tips, and is null when nothing usable is left", () => {
    expect(parseCoaching(JSON.stringify({ tips: [{ summary: "" , detail: "x" }, { detail: "y" }, "str"] }))).toBeNull();
    expect(parseCoaching(JSON.stringify({ follow_up: "Why?", tips: [{ summary: "s" }] }))).toEqual({ followUp: "Why?", tips: null });
    expect(parseCoaching("I cannot help with that.")).toBeNull();
    expect(parseCoaching("")).toBeNull();
  });
  it("reads a fenced reply and strips markdown from the follow-up", () => {
    const text = '```json\n{"follow_up": "**What** did you measure?", "tips": []}\n```';
    expect(parseCoaching(text)).toEqual({ followUp: "What did you measure?", tips: null });
  });
});

describe("parseQuestion", () => {
  it("takes question, prompt or text, joining lists", () => {
    expect(parseQuestion('{"question": "How would you shard the cache"}')).toBe("How would you shard the cache?");
    expect(parseQuestion('{"prompt": "Walk me through a rollback?"}')).toBe("Walk me through a rollback?");
    expect(parseQuestion('{"text": ["Tell me about", "a hard bug."]}')).toBe("Tell me about a hard bug?");
  });
  it("where the bare sentence was asked for (streaming), reads a bare line, stripping markdown, labels and quotes", () => {
    expect(parseQuestion('**Question:** "What tradeoff did you make under time pressure?"', "sentence")).toBe(
      "What tradeoff did you make under time pressure?",
    );
    expect(parseQuestion("- Describe the data model you would choose.\nMore commentary", "sentence")).toBe(
      "Describe the data model you would choose?",
    );
    expect(parseQuestion("“How did you measure success?”", "sentence")).toBe("How did you measure success?");
    expect(parseQuestion('{"question": "How would you shard it"}', "sentence")).toBe("How would you shard it?");
  });
  it("where JSON was asked for, refuses prose without it instead of making it the question", () => {
    expect(parseQuestion("Sure! Here is what I think: caching matters most.")).toBeNull();
    expect(parseQuestion("How did you measure success?")).toBeNull();
    expect(parseQuestion("How did you measure success?", "json")).toBeNull();
  });
  it("where the bare sentence was asked for, refuses a preamble that does not read as a question", () => {
    expect(parseQuestion("Sure! Here is what I think: caching matters most.", "sentence")).toBeNull();
    expect(parseQuestion("Great answer. Let me think about the next one", "sentence")).toBeNull();
    expect(parseQuestion("Tell me about a time you cut scope", "sentence")).toBe("Tell me about a time you cut scope?");
  });
  it("rejects JSON without a question key, JSON-ish text, empty and too-short output", () => {
    expect(parseQuestion('{"answer": "nope"}')).toBeNull();
    expect(parseQuestion('{"question": 5}')).toBeNull();
    expect(parseQuestion('"question": "Tell me more"')).toBeNull();
    expect(parseQuestion("")).toBeNull();
    expect(parseQuestion("   \n ")).toBeNull();
    expect(parseQuestion("Why?")).toBeNull();
  });
  it("caps the length and always ends with a question mark", () => {
    const long = `Tell me ${"about the system and its many parts ".repeat(20)}today`;
    const q = parseQuestion(JSON.stringify({ question: long }))!;
    expect(q.length).toBeLessThanOrEqual(QUESTION_MAX_CHARS);
    expect(q.endsWith("?")).toBe(true);
  });
});

describe("parseClarification", () => {
  it("takes message, clarification, response or text, else the prose itself", () => {
    expect(parseClarification('{"message": "Any project counts."}')).toBe("Any project counts.");
    expect(parseClarification('{"response": "Yes, a school project is fine."}')).toBe("Yes, a school project is fine.");
    expect(parseClarification("Pick any recent project. So: tell me about it.")).toBe("Pick any recent project. So: tell me about it.");
  });
  it("rejects JSON without a known key and empty text", () => {
    expect(parseClarification('{"other": "x"}')).toBeNull();
    expect(parseClarification("  ")).toBeNull();
  });
});
