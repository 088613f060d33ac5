/**
 * Edge validation of inbound frames: the seed's exact error strings for the envelope, the
 * machine-readable codes, and the schema rules for every message type.
 */
import { describe, expect, it } from "vitest";
import { MAX_FRAME_BYTES, parseClientFrame, type ParsedFrame } from "../src/index.ts";

const parse = (frame: unknown): ParsedFrame => parseClientFrame(typeof frame === "string" ? frame : JSON.stringify(frame));
const failure = (result: ParsedFrame) => {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.message)}`);
  return { code: result.code, message: result.message };
};
const message = (result: ParsedFrame) => {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.message;
};

describe("envelope errors keep the seed's strings", () => {
  it.each([
    ["not json", "invalid_json", "Payload must be JSON"],
    ["[1,2]", "not_object", "Payload must be a JSON object"],
    ["null", "not_object", "Payload must be a JSON object"],
    ['"text"', "not_object", "Payload must be a JSON object"],
    ["42", "not_object", "Payload must be a JSON object"],
    ["{}", "invalid_type", "Message type must be a string."],
    ['{"type": 5}', "invalid_type", "Message type must be a string."],
    ['{"type": null}', "invalid_type", "Message type must be a string."],
    ['{"type": "dance"}', "unknown_type", "Unrecognized message type: dance"],
  ])("%s -> %s", (frame, code, text) => {
    expect(failure(parseClientFrame(frame))).toEqual({ code, message: text });
  });

  it("refuses binary frames and oversized frames before parsing", () => {
    expect(failure(parseClientFrame(new Uint8Array([1, 2, 3]).buffer)).code).toBe("binary_frame");
    expect(failure(parseClientFrame(new ArrayBuffer(MAX_FRAME_BYTES + 1))).code).toBe("too_large");
    const big = JSON.stringify({ type: "user_answer", answer: "é".repeat(MAX_FRAME_BYTES / 2) });
    expect(failure(parseClientFrame(big))).toMatchObject({ code: "too_large" });
    const fits = JSON.stringify({ type: "user_answer", answer: "a".repeat(MAX_FRAME_BYTES - 100) });
    expect(parseClientFrame(fits).ok).toBe(true);
  });
});

describe("user_answer", () => {
  it("defaults a missing answer to the empty string and null metrics to none", () => {
    expect(message(parse({ type: "user_answer", metrics: null }))).toEqual({ type: "user_answer", answer: "", metrics: {} });
  });
  it("refuses a null or numeric answer with invalid_message naming the field", () => {
    expect(failure(parse({ type: "user_answer", answer: null }))).toMatchObject({
      code: "invalid_message",
      message: expect.stringContaining("user_answer.answer"),
    });
    expect(failure(parse({ type: "user_answer", answer: 7 })).code).toBe("invalid_message");
  });
  it("refuses non-numeric metrics and keeps unknown metric keys out of the way", () => {
    expect(failure(parse({ type: "user_answer", answer: "x", metrics: { speakingRate: "fast" } }))).toMatchObject({
      code: "invalid_message",
      message: expect.stringContaining("metrics.speakingRate"),
    });
    expect(failure(parse({ type: "user_answer", answer: "x", metrics: "lots" })).code).toBe("invalid_message");
    const parsed = message(parse({ type: "user_answer", answer: "x", metrics: { speakingRate: 120, volume: 3 } }));
    expect(parsed).toMatchObject({ metrics: { speakingRate: 120 } });
  });
});

describe("checkin", () => {
  it("coerces like Python int(): integer strings and truncated floats, default 0", () => {
    expect(message(parse({ type: "checkin", confidence: "4", stress: 2.9 }))).toEqual({
      type: "checkin",
      confidence: 4,
      stress: 2,
    });
    expect(message(parse({ type: "checkin" }))).toMatchObject({ confidence: 0, stress: 0 });
  });
  it("refuses non-numeric values instead of dropping the socket", () => {
    expect(failure(parse({ type: "checkin", confidence: "high", stress: 1 }))).toMatchObject({
      code: "invalid_message",
      message: expect.stringContaining("checkin.confidence"),
    });
    expect(failure(parse({ type: "checkin", confidence: 1, stress: null })).code).toBe("invalid_message");
    expect(failure(parse({ type: "checkin", confidence: "2.5", stress: 1 })).code).toBe("invalid_message");
  });
  it("refuses values outside the 0..10 scale, as REST does", () => {
    expect(failure(parse({ type: "checkin", confidence: 11, stress: 1 }))).toMatchObject({
      code: "invalid_message",
      message: expect.stringContaining("must be an integer from 0 to 10"),
    });
    expect(failure(parse({ type: "checkin", confidence: 1, stress: "-1" })).code).toBe("invalid_message");
    expect(message(parse({ type: "checkin", confidence: 10, stress: 0 }))).toMatchObject({ confidence: 10, stress: 0 });
  });
  it("validates the group override", () => {
    expect(failure(parse({ type: "checkin", group: "placebo", confidence: 1, stress: 1 })).code).toBe("invalid_group");
    expect(message(parse({ type: "checkin", group: "control", confidence: 1, stress: 1 }))).toMatchObject({ group: "control" });
  });
});

describe("start_session, switch_style, telemetry", () => {
  it("start_session only refuses a group outside the study", () => {
    expect(failure(parse({ type: "start_session", group: "vip" })).code).toBe("invalid_group");
    expect(failure(parse({ type: "start_session", group: 1 })).code).toBe("invalid_group");
    expect(message(parse({ type: "start_session", group: null, style: 9, maxQuestions: "x" }))).toMatchObject({
      type: "start_session",
      group: null,
    });
    expect(message(parse({ type: "start_session", group: "" }))).toMatchObject({ group: null });
  });
  it("switch_style refuses a missing or unknown style with invalid_style", () => {
    expect(failure(parse({ type: "switch_style", style: "angry" })).code).toBe("invalid_style");
    expect(failure(parse({ type: "switch_style" })).code).toBe("invalid_style");
    expect(message(parse({ type: "switch_style", style: "cold" }))).toEqual({ type: "switch_style", style: "cold" });
  });
  it("telemetry defaults the event to unknown and refuses a non-numeric latency", () => {
    expect(message(parse({ type: "telemetry" }))).toMatchObject({ event: "unknown" });
    expect(failure(parse({ type: "telemetry", event: "latency", latencyMs: "slow" })).code).toBe("invalid_message");
    expect(failure(parse({ type: "telemetry", event: 3 })).code).toBe("invalid_message");
  });

  it("telemetry data is limited to 8,192 characters of JSON, with a message naming the field", () => {
    const fits = { samples: "x".repeat(8_000) };
    expect(message(parse({ type: "telemetry", event: "gaze", data: fits }))).toMatchObject({ data: fits });
    const refused = failure(parse({ type: "telemetry", event: "gaze", data: { samples: "x".repeat(8_200) } }));
    expect(refused.code).toBe("invalid_message");
    expect(refused.message).toMatch(/^telemetry\.data: must be at most 8192 characters of JSON/);
  });
});

describe("before start_session", () => {
  const early = (frame: unknown) => parseClientFrame(JSON.stringify(frame), { hasSession: false });
  it("a session-bound message answers no_session whatever its fields", () => {
    expect(failure(early({ type: "user_answer", answer: null })).code).toBe("no_session");
    expect(failure(early({ type: "switch_style", style: "x" })).code).toBe("no_session");
    expect(failure(early({ type: "checkin", confidence: "high" })).code).toBe("no_session");
  });
  it("start_session, ping and envelope errors are judged as usual", () => {
    expect(early({ type: "ping" }).ok).toBe(true);
    expect(early({ type: "start_session" }).ok).toBe(true);
    expect(failure(early({ type: "start_session", group: "vip" })).code).toBe("invalid_group");
    expect(failure(early({ type: "nope" })).code).toBe("unknown_type");
  });
});
