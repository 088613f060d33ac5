/**
 * An interview object that does not answer is a dependency down: every route that calls one
 * answers 503 `unavailable` (routes/object-call.ts), never a 500, and changes nothing; so does
 * the session directory. The Worker is given a namespace whose objects throw on every call
 * (ids still resolve).
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import { exportSession } from "../../src/storage/reads.ts";
import type { Env } from "../../src/env.ts";
import { startInterview } from "./socket-client.ts";
import { ADMIN_TOKEN, bearer, call, postJson, replicated } from "./rest-client.ts";

function unanswering<Namespace>(real: DurableObjectNamespace): Namespace {
  const down = () => Promise.reject(new Error("the interview object is down (test)"));
  const stub = new Proxy({}, { get: (_target, property) => (property === "then" ? undefined : down) });
  return {
    idFromString: (id: string) => real.idFromString(id),
    idFromName: (name: string) => real.idFromName(name),
    newUniqueId: () => real.newUniqueId(),
    get: () => stub,
  } as unknown as Namespace;
}

const down = { INTERVIEW: unanswering<Env["INTERVIEW"]>(env.INTERVIEW) };

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(await response.json()).toMatchObject({ code: "unavailable" });
}

describe("an interview object that does not answer", () => {
  it("is 503 on every route that calls one, with the session's token or the admin's", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const id = started.session_id;
    const token = started.resumeToken as string;
    await replicated(token, id);
    const requests: [string, RequestInit][] = [
      ["/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, bearer(token))],
      [`/sessions/${id}`, { method: "DELETE", headers: bearer(token) }],
      [`/sessions/${id}`, { method: "DELETE", headers: bearer(ADMIN_TOKEN) }],
      ["/checkins", postJson({ sessionId: id, confidence: 3, stress: 3 }, bearer(ADMIN_TOKEN))],
      [`/sessions/${id}/answers/audio`, { method: "POST", headers: bearer(token) }],
      [`/stt?sessionId=${id}`, { method: "POST", headers: bearer(token) }],
      ["/tts", postJson({ text: "Hi", sessionId: id }, bearer(token))],
      ["/ws/interview", { headers: { Upgrade: "websocket" } }],
      [`/ws/interview?session=${id}&token=${encodeURIComponent(token)}`, { headers: { Upgrade: "websocket" } }],
    ];
    for (const [path, init] of requests) await expectUnavailable(await call(path, init, down));
    // Nothing was deleted, and the interview goes on.
    expect(await exportSession(drizzle(env.DB), id)).not.toBeNull();
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    socket.close();
  });

  it("is 503 when the session directory does not answer an admin call about a session D1 has not received", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const directory = (env as unknown as { SESSION_DIRECTORY: DurableObjectNamespace }).SESSION_DIRECTORY;
    const response = await call(`/sessions/${started.session_id}`, { method: "DELETE", headers: bearer(ADMIN_TOKEN) }, { SESSION_DIRECTORY: unanswering(directory) } as Partial<Env>);
    await expectUnavailable(response);
    socket.send({ type: "ping" });
    expect(await socket.next("pong")).toEqual({ type: "pong" });
    socket.close();
  });

  it("names what was not done when a delete could not reach it", async () => {
    const { socket, started } = await startInterview({ consent: true });
    await replicated(started.resumeToken as string, started.session_id);
    const response = await call(`/sessions/${started.session_id}`, { method: "DELETE", headers: bearer(ADMIN_TOKEN) }, down);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: "unavailable", message: "The interview's own copy could not be deleted; nothing was removed. Try again." });
    socket.close();
  });
});
