/** Server-reserved telemetry names cannot be dodged by case or surrounding space. */
import { describe, expect, it } from "vitest";
import { RESERVED_TELEMETRY_EVENTS, isReservedTelemetryEvent } from "../src/index.ts";

describe("isReservedTelemetryEvent", () => {
  it.each(RESERVED_TELEMETRY_EVENTS.map((e) => [e]))("%s is reserved", (event) => {
    expect(isReservedTelemetryEvent(event)).toBe(true);
  });
  it.each([["Session_End"], ["stt "], [" TIPS"]])("%j is reserved too", (event) => {
    expect(isReservedTelemetryEvent(event)).toBe(true);
  });
  it.each([["latency"], ["unknown"], ["stt_client"], ["question_viewed"]])("%s is the client's", (event) => {
    expect(isReservedTelemetryEvent(event)).toBe(false);
  });
});
