/** start_session options: every clamp, the Python int() coercion, defaults and consent. */
import { describe, expect, it } from "vitest";
import { sessionOptions } from "../../src/engine/session-options.ts";

describe("sessionOptions", () => {
  it.each([
    [0, 1],
    [-5, 1],
    [1, 1],
    [50, 50],
    [51, 50],
    [7.9, 7],
    ["12", 12],
    [" 3 ", 3],
    ["3.5", null],
    ["ten", null],
    [true, null],
    [null, null],
    [undefined, null],
    [[4], null],
  ])("maxQuestions %j -> %j", (value, expected) => {
    expect(sessionOptions({ maxQuestions: value }).maxQuestions).toBe(expected);
  });

  it.each([
    [29, 30],
    [30, 30],
    [10_800, 10_800],
    [10_801, 10_800],
    ["600", 600],
    [45.5, 45],
    ["soon", null],
  ])("durationSeconds %j -> %j", (value, expected) => {
    expect(sessionOptions({ durationSeconds: value }).durationSeconds).toBe(expected);
  });

  it("defaults everything when the frame is empty", () => {
    expect(sessionOptions({})).toEqual({
      style: "neutral",
      pack: "swe_behavioral",
      difficulty: "standard",
      maxQuestions: null,
      durationSeconds: null,
      customQuestions: [],
      consent: false,
      accent: null,
      notes: null,
      stream: false,
    });
  });

  it("keeps valid choices and refuses near misses", () => {
    expect(sessionOptions({ style: "cold", pack: "data_science_ml", difficulty: "hard" })).toMatchObject({
      style: "cold",
      pack: "data_science_ml",
      difficulty: "hard",
    });
    expect(sessionOptions({ style: "Cold", pack: "leadership ", difficulty: "HARD" })).toMatchObject({
      style: "neutral",
      pack: "swe_behavioral",
      difficulty: "standard",
    });
  });

  it("fairness fields are trimmed text of at most 200 chars; empty means null", () => {
    expect(sessionOptions({ accent: "  Scottish ", notes: "x".repeat(500) })).toMatchObject({
      accent: "Scottish",
      notes: "x".repeat(200),
    });
    expect(sessionOptions({ accent: "   ", notes: 42 })).toMatchObject({ accent: null, notes: "42" });
  });

  it("stream is opt-in with a real boolean", () => {
    expect(sessionOptions({ stream: true }).stream).toBe(true);
    expect(sessionOptions({ stream: "true" }).stream).toBe(false);
  });
});
