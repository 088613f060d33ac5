/**
 * `POST /checkins`: stored with the session's resume token or the admin token, refused with a
 * wrong or missing token (production), accepted token-less in development, 404 for unknown
 * sessions, 400 for bad bodies, not stored without consent, idempotent with Idempotency-Key.
 */
import { describe, expect, it } from "vitest";
import { runInDurableObject } from "cloudflare:test";
import { SESSION_RECORDS_MAX } from "@interview/shared";
import { interviewOf, startInterview } from "./socket-client.ts";
import { ADMIN_TOKEN, bearer, call, failingDb, postJson, replicated, replicatedInterview } from "./rest-client.ts";

const consentedSession = replicatedInterview;

describe("POST /checkins", () => {
  it("stores a check-in authorised by the session's resume token, with the session's group", async () => {
    const { socket, id, token } = await consentedSession();
    const response = await call("/checkins", postJson({ sessionId: id, confidence: "4", stress: 2 }, bearer(token)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", stored: true });
    // Through the object's outbox (extra = 0): the object holds it as well as D1.
    const exported = await replicated(token, id);
    expect(exported.checkins).toMatchObject([{ session_id: id, group_name: "control", confidence: 4, stress: 2 }]);
    socket.close();
  });

  it("with a resume token needs no D1 at the route: it goes through the interview object", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "treatment" });
    const token = started.resumeToken as string;
    const id = started.session_id;
    const down = await call("/checkins", postJson({ sessionId: id, confidence: 7, stress: 1 }, bearer(token)), { DB: failingDb() });
    expect(down.status).toBe(200);
    expect(await down.json()).toEqual({ status: "ok", stored: true });
    const exported = await replicated(token, id);
    expect(exported.checkins).toMatchObject([{ group_name: "treatment", confidence: 7, stress: 1 }]);
    socket.close();
  });

  it("with a resume token is accepted after the session ended (post-session survey)", async () => {
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 1 });
    socket.send({ type: "user_answer", answer: "Done." });
    await socket.next("tips");
    await socket.next("session_ended");
    const response = await call("/checkins", postJson({ sessionId: started.session_id, confidence: 5, stress: 5 }, bearer(started.resumeToken)));
    expect(await response.json()).toEqual({ status: "ok", stored: true });
    expect((await replicated(started.resumeToken, started.session_id)).checkins).toHaveLength(1);
  });

  it("accepts the admin token and an explicit group", async () => {
    const { socket, id, token } = await consentedSession();
    const response = await call("/checkins", postJson({ sessionId: id, group: "treatment", confidence: 1, stress: 9 }, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(200);
    expect((await replicated(token, id)).checkins[0]).toMatchObject({ group_name: "treatment" });
    socket.close();
  });

  it("with the admin token, before D1 has the session, goes through its interview object (found by the session directory)", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "control" });
    const response = await call("/checkins", postJson({ sessionId: started.session_id, confidence: 2, stress: 7 }, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", stored: true });
    expect((await replicated(started.resumeToken as string, started.session_id)).checkins).toMatchObject([{ confidence: 2, stress: 7 }]);
    socket.close();
  });

  it("refuses a body over 16 KiB with 413, after the token and before parsing", async () => {
    const { socket, id, token } = await consentedSession();
    const padded = postJson({ sessionId: id, confidence: 3, stress: 3, pad: "x".repeat(17 * 1024) }, bearer(token));
    const response = await call("/checkins", padded);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: "payload_too_large" });
    // Without a token the size does not matter: 401 first.
    expect((await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3, pad: "x".repeat(17 * 1024) }))).status).toBe(401);
    expect((await replicated(token, id)).checkins).toHaveLength(0);
    socket.close();
  });

  it(`refuses a check-in for a session holding ${SESSION_RECORDS_MAX} records with 409 storage_full`, async () => {
    const { socket, id, token } = await consentedSession();
    await runInDurableObject(interviewOf(token), (instance) => {
      const live = (instance as unknown as { state: { session: { seq: number } } }).state.session;
      live.seq = SESSION_RECORDS_MAX;
    });
    const response = await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, bearer(token)));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "storage_full" });
    expect((await replicated(token, id)).checkins).toHaveLength(0);
    socket.close();
  });

  it("stores one row per Idempotency-Key", async () => {
    const { socket, id, token } = await consentedSession();
    const init = postJson({ sessionId: id, confidence: 3, stress: 3 }, { ...bearer(token), "Idempotency-Key": "retry-1" });
    expect((await call("/checkins", init)).status).toBe(200);
    expect((await call("/checkins", init)).status).toBe(200);
    expect((await replicated(token, id)).checkins).toHaveLength(1);
    const admin = postJson({ sessionId: id, confidence: 3, stress: 3 }, { ...bearer(ADMIN_TOKEN), "Idempotency-Key": "retry-2" });
    expect((await call("/checkins", admin)).status).toBe(200);
    expect((await call("/checkins", admin)).status).toBe(200);
    expect((await replicated(token, id)).checkins).toHaveLength(2);
    socket.close();
  });

  it("refuses a wrong token (403) and a missing one in production (401)", async () => {
    const { socket, id, token } = await consentedSession();
    const other = await consentedSession();
    const wrong = await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, bearer(other.token)));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "forbidden" });
    const devWrong = await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, bearer("nope")), { ENVIRONMENT: "development" });
    expect(devWrong.status).toBe(403);
    const missing = await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: "unauthorized", message: expect.stringContaining("Bearer") });
    const malformed = await call("/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, { Authorization: "Basic abc" }));
    expect(malformed.status).toBe(401);
    expect((await replicated(token, id)).checkins).toHaveLength(0);
    socket.close();
    other.socket.close();
  });

  it("accepts a token-less call in development only", async () => {
    const { socket, id, token } = await consentedSession();
    const response = await call("/checkins", postJson({ sessionId: id, confidence: 2, stress: 2 }), { ENVIRONMENT: "development" });
    expect(response.status).toBe(200);
    expect((await replicated(token, id)).checkins).toHaveLength(1);
    socket.close();
  });

  it("answers 404 for an unknown session", async () => {
    const response = await call("/checkins", postJson({ sessionId: crypto.randomUUID(), confidence: 2, stress: 2 }, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });

  it.each([
    [{ confidence: 2, stress: 2 }, "sessionId"],
    [{ sessionId: "x", confidence: "high", stress: 2 }, "confidence"],
    [{ sessionId: "x", confidence: 2 }, "stress"],
    [{ sessionId: "x", confidence: 11, stress: 2 }, "confidence"],
    [{ sessionId: "x", confidence: 2, stress: 2, group: "placebo" }, "group"],
  ])("refuses %j with 400 naming %s", async (body, field) => {
    const response = await call("/checkins", postJson(body, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(400);
    const error = (await response.json()) as { code: string; message: string };
    expect(error.code).toBe("validation_failed");
    expect(error.message).toContain(`${field}:`);
  });

  it("refuses malformed JSON with 400 in the same shape", async () => {
    const response = await call("/checkins", { method: "POST", headers: { "Content-Type": "application/json", ...bearer(ADMIN_TOKEN) }, body: "{nope" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed" });
  });

  it("stores nothing for a session without consent", async () => {
    const { socket, started } = await startInterview({ consent: false });
    const token = started.resumeToken as string;
    await replicated(token, started.session_id);
    const response = await call("/checkins", postJson({ sessionId: started.session_id, confidence: 2, stress: 2 }, bearer(token)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", stored: false });
    expect((await replicated(token, started.session_id)).checkins).toHaveLength(0);
    socket.close();
  });
});
