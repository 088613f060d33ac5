import { describe, it, expect } from "vitest";
import { CUSTOM_QUESTION_MAX_CHARS, CUSTOM_QUESTIONS_MAX_ITEMS } from "@interview/shared";
import { sanitizeCustomQuestions } from "../../src/engine/custom-questions.ts";

describe("sanitizeCustomQuestions: input shape", () => {
  it("returns [] for anything that is not an array", () => {
    for (const raw of [undefined, null, "Why?", 3, { 0: "Why?" }, true]) {
      expect(sanitizeCustomQuestions(raw)).toEqual([]);
    }
  });
  it("keeps strings only", () => {
    expect(sanitizeCustomQuestions(["A?", 1, null, { q: "x" }, ["B?"], true, "C?"])).toEqual(["A?", "C?"]);
  });
});

describe("sanitizeCustomQuestions: per-item cleaning", () => {
  it("strips surrounding whitespace", () => {
    expect(sanitizeCustomQuestions(["  Why this team?\n"])).toEqual(["Why this team?"]);
  });
  it("removes one leading bullet of each kind", () => {
    expect(sanitizeCustomQuestions(["- Why?", "* How?", "• What?"])).toEqual(["Why?", "How?", "What?"]);
  });
  it("removes a bullet that follows leading whitespace", () => {
    expect(sanitizeCustomQuestions(["   - Why?"])).toEqual(["Why?"]);
  });
  it("removes only one bullet", () => {
    expect(sanitizeCustomQuestions(["-- Why?", "** How?"])).toEqual(["- Why?", "* How?"]);
  });
  it("does not treat other characters as bullets", () => {
    expect(sanitizeCustomQuestions(["1. Why?", "+ How?"])).toEqual(["1. Why?", "+ How?"]);
  });
  it("collapses inner whitespace", () => {
    expect(sanitizeCustomQuestions(["Why \t this\n\nteam?"])).toEqual(["Why this team?"]);
  });
  it("skips items that are empty after cleaning", () => {
    expect(sanitizeCustomQuestions(["", "   ", "-", " • ", "Real?"])).toEqual(["Real?"]);
  });
  it("appends a question mark when missing", () => {
    expect(sanitizeCustomQuestions(["Tell me about yourself", "Tell me more."])).toEqual([
      "Tell me about yourself?",
      "Tell me more.?",
    ]);
  });
});

describe("sanitizeCustomQuestions: truncation", () => {
  it("uses the shared 280-character limit", () => {
    expect(CUSTOM_QUESTION_MAX_CHARS).toBe(280);
  });
  it("keeps 280 characters as they are", () => {
    const q = `${"a".repeat(279)}?`;
    expect(sanitizeCustomQuestions([q])).toEqual([q]);
  });
  it("truncates to 280 characters, then appends '?' (281 in total)", () => {
    const [q] = sanitizeCustomQuestions(["b".repeat(300)]);
    expect(q).toBe(`${"b".repeat(280)}?`);
    expect(q).toHaveLength(281);
  });
  it("right-strips after truncating", () => {
    const [q] = sanitizeCustomQuestions([`${"c".repeat(279)} tail`]);
    expect(q).toBe(`${"c".repeat(279)}?`);
  });
  it("drops a question mark that falls past the limit, then adds one back", () => {
    const [q] = sanitizeCustomQuestions([`${"d".repeat(280)}?`]);
    expect(q).toBe(`${"d".repeat(280)}?`);
  });
  it("truncates after collapsing whitespace", () => {
    const [q] = sanitizeCustomQuestions([`${"e".repeat(270)}${" ".repeat(20)}fffff`]);
    expect(q).toBe(`${"e".repeat(270)} fffff?`);
  });
  it("counts code points, never splitting an emoji", () => {
    const [q] = sanitizeCustomQuestions(["😀".repeat(300)]);
    expect(Array.from(q ?? "")).toHaveLength(281);
    expect(q).toBe(`${"😀".repeat(280)}?`);
  });
});

describe("sanitizeCustomQuestions: cap and de-duplication order", () => {
  const numbered = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `Question ${i + from}?`);

  it("uses the shared 24-item cap", () => {
    expect(CUSTOM_QUESTIONS_MAX_ITEMS).toBe(24);
  });
  it("stops after 24 accepted items", () => {
    expect(sanitizeCustomQuestions(numbered(30))).toEqual(numbered(24));
  });
  it("does not count skipped items towards the cap", () => {
    const raw = [1, "", "  ", null, ...numbered(24), "Late?"];
    expect(sanitizeCustomQuestions(raw)).toEqual(numbered(24));
  });
  it("removes case-insensitive duplicates, keeping the first spelling", () => {
    expect(sanitizeCustomQuestions(["Why?", "WHY?", "why", "How?"])).toEqual(["Why?", "How?"]);
  });
  it("treats bullet and whitespace variants as duplicates once cleaned", () => {
    expect(sanitizeCustomQuestions(["- Why  now?", "Why now?"])).toEqual(["Why now?"]);
  });
  it("de-duplicates after the cap, so duplicates shrink the result below 24", () => {
    const raw = ["Same?", "same?", ...numbered(22), "Would be 25th?", "Would be 26th?"];
    const result = sanitizeCustomQuestions(raw);
    expect(result).toEqual(["Same?", ...numbered(22)]);
    expect(result).toHaveLength(23);
  });
  it("returns [] for an empty array", () => {
    expect(sanitizeCustomQuestions([])).toEqual([]);
  });
  it("does not mutate its input", () => {
    const raw = [" - A", "B"];
    sanitizeCustomQuestions(raw);
    expect(raw).toEqual([" - A", "B"]);
  });
});
