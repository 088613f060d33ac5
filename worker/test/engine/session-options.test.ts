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
      adjusted: [],
    });
  });

  it.each([
    [{ maxQuestions: 0 }, { field: "maxQuestions", given: 0, used: 1, reason: "below_minimum" }],
    [{ maxQuestions: 99 }, { field: "maxQuestions", given: 99, used: 50, reason: "above_maximum" }],
    [{ maxQuestions: "51" }, { field: "maxQuestions", given: "51", used: 50, reason: "above_maximum" }],
    [{ maxQuestions: 7.9 }, { field: "maxQuestions", given: 7.9, used: 7, reason: "truncated" }],
    [{ maxQuestions: "ten" }, { field: "maxQuestions", given: "ten", used: null, reason: "not_an_integer" }],
    [{ maxQuestions: true }, { field: "maxQuestions", given: true, used: null, reason: "not_an_integer" }],
    [{ durationSeconds: 5 }, { field: "durationSeconds", given: 5, used: 30, reason: "below_minimum" }],
    [{ durationSeconds: 10_801 }, { field: "durationSeconds", given: 10_801, used: 10_800, reason: "above_maximum" }],
    [{ durationSeconds: 45.5 }, { field: "durationSeconds", given: 45.5, used: 45, reason: "truncated" }],
    [{ durationSeconds: "soon" }, { field: "durationSeconds", given: "soon", used: null, reason: "not_an_integer" }],
    [{ style: "loud" }, { field: "style", given: "loud", used: "neutral", reason: "unknown_value" }],
    [{ style: "Cold" }, { field: "style", given: "Cold", used: "neutral", reason: "unknown_value" }],
    [{ pack: "cooking" }, { field: "pack", given: "cooking", used: "swe_behavioral", reason: "unknown_value" }],
    [{ difficulty: 3 }, { field: "difficulty", given: 3, used: "standard", reason: "unknown_value" }],
  ])("reports %j as adjusted", (message, adjustment) => {
    expect(sessionOptions(message).adjusted).toEqual([adjustment]);
  });

  it("reports nothing for settings used as given or left out", () => {
    const given = { style: "cold", pack: "leadership", difficulty: "hard", maxQuestions: " 3 ", durationSeconds: 30, consent: "yes" };
    expect(sessionOptions(given).adjusted).toEqual([]);
    expect(sessionOptions({ maxQuestions: 50, durationSeconds: "10800" }).adjusted).toEqual([]);
    expect(sessionOptions({ style: null, pack: undefined, maxQuestions: null }).adjusted).toEqual([]);
  });

  it("echoes a long given value cut short", () => {
    const [adjustment] = sessionOptions({ style: "x".repeat(5000) }).adjusted;
    expect((adjustment!.given as string).length).toBe(101);
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
