import { describe, it, expect } from "vitest";
import { DIFFICULTIES, PACKS } from "@interview/shared";
import { QUESTION_PACKS, fallbackQuestion } from "../../src/engine/question-packs.ts";

describe("QUESTION_PACKS", () => {
  it("has exactly the four seed packs", () => {
    expect(Object.keys(QUESTION_PACKS).sort()).toEqual([...PACKS].sort());
  });

  it("has exactly six questions per pack and difficulty", () => {
    for (const pack of PACKS) {
      expect(Object.keys(QUESTION_PACKS[pack]).sort()).toEqual([...DIFFICULTIES].sort());
      for (const difficulty of DIFFICULTIES) expect(QUESTION_PACKS[pack][difficulty]).toHaveLength(6);
    }
  });

  it("ends every question with '?' and has no surrounding whitespace", () => {
    for (const pack of PACKS) {
      for (const difficulty of DIFFICULTIES) {
        for (const q of QUESTION_PACKS[pack][difficulty]) {
          expect(q.endsWith("?")).toBe(true);
          expect(q).toBe(q.trim());
          expect(q).not.toMatch(/\s{2}/);
        }
      }
    }
  });

  it("never repeats a question across the whole bank", () => {
    const all = PACKS.flatMap((p) => DIFFICULTIES.flatMap((d) => QUESTION_PACKS[p][d]));
    expect(all).toHaveLength(48);
    expect(new Set(all.map((q) => q.toLowerCase())).size).toBe(48);
  });

  it("follows the seed topics in order (spot checks)", () => {
    expect(QUESTION_PACKS.swe_system_design.standard[0]).toMatch(/URL short/i);
    expect(QUESTION_PACKS.swe_system_design.standard[2]).toMatch(/rate limit/i);
    expect(QUESTION_PACKS.swe_system_design.hard[3]).toMatch(/idempotent/i);
    expect(QUESTION_PACKS.data_science_ml.standard[1]).toMatch(/A\/B test/);
    expect(QUESTION_PACKS.data_science_ml.hard[0]).toMatch(/label leakage/i);
    expect(QUESTION_PACKS.data_science_ml.hard[5]).toMatch(/LLM/);
    expect(QUESTION_PACKS.leadership.hard[0]).toMatch(/48 hours/);
    expect(QUESTION_PACKS.leadership.hard[2]).toMatch(/40 percent/);
    expect(QUESTION_PACKS.swe_behavioral.standard[0]).toMatch(/tradeoff/i);
    expect(QUESTION_PACKS.swe_behavioral.hard[4]).toMatch(/bug/i);
  });
});

describe("fallbackQuestion", () => {
  it("returns items[index] for 0..5", () => {
    for (let i = 0; i < 6; i += 1) {
      expect(fallbackQuestion("leadership", "hard", i)).toBe(QUESTION_PACKS.leadership.hard[i]);
    }
  });

  it("wraps around modulo 6", () => {
    expect(fallbackQuestion("swe_behavioral", "standard", 6)).toBe(QUESTION_PACKS.swe_behavioral.standard[0]);
    expect(fallbackQuestion("swe_behavioral", "standard", 13)).toBe(QUESTION_PACKS.swe_behavioral.standard[1]);
  });

  it("reaches all six items over consecutive main-question counts", () => {
    const seen = new Set([0, 1, 2, 3, 4, 5].map((i) => fallbackQuestion("data_science_ml", "standard", i)));
    expect(seen.size).toBe(6);
  });

  it("uses the requested difficulty", () => {
    expect(fallbackQuestion("swe_system_design", "hard", 0)).toBe(QUESTION_PACKS.swe_system_design.hard[0]);
    expect(fallbackQuestion("swe_system_design", "hard", 0)).not.toBe(fallbackQuestion("swe_system_design", "standard", 0));
  });

  it("does not depend on anything but pack, difficulty and index", () => {
    expect(fallbackQuestion("leadership", "standard", 3)).toBe(fallbackQuestion("leadership", "standard", 3));
  });

  it("maps negative and non-integer indexes to a valid item", () => {
    expect(fallbackQuestion("leadership", "standard", -1)).toBe(QUESTION_PACKS.leadership.standard[5]);
    expect(fallbackQuestion("leadership", "standard", 2.5)).toBe(QUESTION_PACKS.leadership.standard[0]);
    expect(fallbackQuestion("leadership", "standard", Number.NaN)).toBe(QUESTION_PACKS.leadership.standard[0]);
  });
});
