/** `start_session.participantId` and the admin route's body: what an id may be, and the code a bad one gets. */
import { describe, expect, it } from "vitest";
import { ParticipantIdSchema, parseClientFrame } from "../src/index.ts";
import { MetricsQuery, ParticipantBody } from "../src/rest.ts";

const parse = (frame: unknown) => parseClientFrame(JSON.stringify(frame), { hasSession: false });

describe("participant ids", () => {
  it.each([["p_AbC-123_xyz"], ["study.2026:P-001"], ["0b6f9d0e-6b1e-4b7e-9d1a-2f0a1c3b4d5e"], ["x".repeat(128)]])("%s is an id", (id) => {
    expect(ParticipantIdSchema.parse(id)).toBe(id);
    expect(parse({ type: "start_session", participantId: id })).toMatchObject({ ok: true, message: { participantId: id } });
  });

  it("omitted, null or empty means none", () => {
    for (const participantId of [undefined, null, ""]) {
      const parsed = parse({ type: "start_session", participantId });
      expect(parsed.ok && parsed.message.type === "start_session" && (parsed.message.participantId ?? null)).toBe(null);
    }
  });

  it.each([["has space"], ["x".repeat(129)], ["a/b"], ["émile"], [42], [true], [{}]])("%j is refused as unknown_participant", (participantId) => {
    const parsed = parse({ type: "start_session", participantId });
    expect(parsed).toMatchObject({ ok: false, code: "unknown_participant" });
  });

  it("the admin body takes an optional id and an optional group", () => {
    expect(ParticipantBody.parse({})).toEqual({});
    expect(ParticipantBody.parse({ participantId: " ", group: "" })).toEqual({ group: null });
    expect(ParticipantBody.parse({ participantId: "s-1", group: "control" })).toEqual({ participantId: "s-1", group: "control" });
    expect(ParticipantBody.safeParse({ group: "vip" }).success).toBe(false);
  });

  it("excludeClientAssigned is a true/false flag, false by default", () => {
    expect(MetricsQuery.parse({}).excludeClientAssigned).toBe(false);
    expect(MetricsQuery.parse({ excludeClientAssigned: "true" }).excludeClientAssigned).toBe(true);
    expect(MetricsQuery.parse({ excludeClientAssigned: "0" }).excludeClientAssigned).toBe(false);
    expect(MetricsQuery.safeParse({ excludeClientAssigned: "yes please" }).success).toBe(false);
  });
});
