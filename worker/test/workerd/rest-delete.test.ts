/**
 * `DELETE /sessions/:id`: removes the session's rows from D1 and from the interview object's
 * outbox; the object forgets a current session (closing its socket with 4004) but keeps a
 * newer one. Auth: the session's token or admin (who finds a session D1 has not received yet
 * through the session directory); wrong 403, missing 401; unknown 404.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { exportSession } from "../../src/storage/reads.ts";
import { interviewOf, startInterview } from "./socket-client.ts";
import { objectIdOf } from "../../src/durable/resume-token.ts";
import { RESUME_FORGOTTEN } from "../../src/durable/interview-session.ts";
import type { Env } from "../../src/env.ts";
import { asAdmin, bearer, call, heldRecords, replicated } from "./rest-client.ts";

describe("DELETE /sessions/:id", () => {
  it("with the session's own token removes D1 rows and the object's copy, and ends the interview", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const id = started.session_id;
    const token = started.resumeToken as string;
    socket.send({ type: "user_answer", answer: "An answer worth deleting." });
    await socket.collectUntil("interviewer_message");
    await replicated(token, id);

    const response = await call(`/sessions/${id}`, { method: "DELETE", headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", deleted: id });
    expect((await socket.waitClosed()).code).toBe(4004);
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();
    expect(await heldRecords(token, id)).toEqual([]);
    // Nothing comes back later from a replication retry.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();
    // The token cannot resume a forgotten interview.
    const resume = await call(`/ws/interview?session=${id}&token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } });
    expect(resume.status).toBe(403);
    expect(await resume.json()).toEqual({ code: "forbidden", message: RESUME_FORGOTTEN });
    // The token's interview holds the session no more: its token opens nothing now.
    const again = await call(`/sessions/${id}`, { method: "DELETE", headers: bearer(token) });
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ code: "forbidden", message: expect.stringContaining("deleted") });
  });

  it("with the session's own token deletes a session D1 has not received yet (still in the outbox)", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const id = started.session_id;
    const token = started.resumeToken as string;
    socket.send({ type: "user_answer", answer: "Deleted before the flush." });
    await socket.collectUntil("interviewer_message");
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();

    const response = await call(`/sessions/${id}`, { method: "DELETE", headers: bearer(token) });
    expect(response.status).toBe(200);
    expect((await socket.waitClosed()).code).toBe(4004);
    // The object's alarm finds nothing to flush: D1 never sees the session.
    const stub = env.INTERVIEW.get(env.INTERVIEW.idFromString(objectIdOf(token)!));
    expect(await stub.flush()).toBe(0);
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();
  });

  it("as admin deletes a session D1 has not received yet, found through the session directory", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const id = started.session_id;
    const token = started.resumeToken as string;
    socket.send({ type: "user_answer", answer: "Deleted by the admin before the flush." });
    await socket.collectUntil("interviewer_message");
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();

    const response = await asAdmin(`/sessions/${id}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", deleted: id });
    expect((await socket.waitClosed()).code).toBe(4004);
    expect(await interviewOf(token).flush()).toBe(0);
    expect(await exportSession(drizzle(env.DB), id)).toBeNull();
    // The directory forgot it too: a second delete finds nothing.
    expect((await asAdmin(`/sessions/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("without a session directory (an optional binding), the admin finds a session once D1 has it", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const id = started.session_id;
    const noDirectory = { SESSION_DIRECTORY: undefined } as Partial<Env>;
    expect((await asAdmin(`/sessions/${id}`, { method: "DELETE" }, noDirectory)).status).toBe(404);
    await replicated(started.resumeToken as string, id);
    expect((await asAdmin(`/sessions/${id}`, { method: "DELETE" }, noDirectory)).status).toBe(200);
    expect((await socket.waitClosed()).code).toBe(4004);
  });

  it("as admin deletes an earlier session of an object and leaves its current one alone", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const oldId = started.session_id;
    const oldToken = started.resumeToken as string;
    socket.send({ type: "start_session", consent: true });
    const again = await socket.next("session_started");
    await socket.next("question");
    const newToken = again.resumeToken as string;
    await replicated(oldToken, oldId);
    await replicated(newToken, again.session_id);

    const response = await asAdmin(`/sessions/${oldId}`, { method: "DELETE" });
    expect(response.status).toBe(200);
    expect(await exportSession(drizzle(env.DB), oldId)).toBeNull();
    expect(await heldRecords(oldToken, oldId)).toEqual([]);
    expect((await heldRecords(newToken, again.session_id)).length).toBeGreaterThan(0);
    expect(await exportSession(drizzle(env.DB), again.session_id)).not.toBeNull();
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    socket.close();
  });

  it("refuses a wrong token (403) or none (401), deleting nothing", async () => {
    const a = await startInterview({ consent: true });
    const b = await startInterview({ consent: true });
    const id = a.started.session_id;
    await replicated(a.started.resumeToken as string, id);
    const wrong = await call(`/sessions/${id}`, { method: "DELETE", headers: bearer(b.started.resumeToken as string) });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "forbidden" });
    const missing = await call(`/sessions/${id}`, { method: "DELETE" });
    expect(missing.status).toBe(401);
    expect(await exportSession(drizzle(env.DB), id)).not.toBeNull();
    a.socket.close();
    b.socket.close();
  });

  it("answers 404 for an unknown session", async () => {
    const response = await asAdmin(`/sessions/${crypto.randomUUID()}`, { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });
});
