/**
 * Consent: without it the interview runs normally, but only the session row is stored (with
 * consented = false), in the object's outbox and in D1; no answers, check-ins (WebSocket or
 * HTTP) or telemetry, and nothing reaches /metrics/summary.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "./socket-client.ts";
import { asAdmin, bearer, call, heldRecords, postJson, replicated } from "./rest-client.ts";

describe("consent = false", () => {
  it("keeps only the session row", async () => {
    const since = new Date().toISOString();
    const { socket, started } = await startInterview({ consent: false, group: "control", accent: "en-IE", notes: "pilot", pack: "swe_system_design", style: "cold" });
    const id = started.session_id;
    const token = started.resumeToken as string;
    socket.send({ type: "user_answer", answer: "A full answer with 3 numbers: 10, 20, 30.", metrics: { speakingRate: 150 } });
    await socket.collectUntil("interviewer_message");
    socket.send({ type: "checkin", confidence: 3, stress: 3 });
    await socket.next("checkin_logged");
    socket.send({ type: "telemetry", event: "latency", latencyMs: 700 });
    socket.send({ type: "user_clarification", question: "What do you mean by scale?" });
    await socket.next("clarification");
    expect((await call("/checkins", postJson({ sessionId: id, confidence: 1, stress: 1 }, bearer(token)))).status).toBe(200);

    const held = await heldRecords(token, id);
    expect(held.map((r) => r.kind)).toEqual(["session"]);
    const exported = await replicated(token, id);
    expect(exported.session).toEqual({
      id,
      style: "cold",
      group_name: "control",
      group_assignment: "client",
      // The participant id links a person's sessions: without consent it is not kept either.
      participant_id: null,
      consented: false,
      accent: null,
      notes: null,
      created_at: expect.stringMatching(/Z$/),
    });
    expect(exported.answers).toEqual([]);
    expect(exported.checkins).toEqual([]);
    expect(exported.telemetry).toEqual([]);

    const summary = (await (await asAdmin(`/metrics/summary?from=${since}&pack=swe_system_design&style=cold`)).json()) as Record<string, any>;
    expect(summary.groups.control.n_answers).toBe(0);
    expect(summary.groups.control.n_sessions).toBe(0);
    socket.close();
  });
});
