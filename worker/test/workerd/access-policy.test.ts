/**
 * The one access policy (src/routes/access-policy.ts): the README's route table matches the
 * routes the app registers and the policy each declares; every route is probed without
 * credentials, with wrong ones and with right ones; `session`, the policy no route uses alone
 * yet, is checked on a route of its own; and an interview object that does not answer is 503 on
 * every route that calls one, never a 500.
 */
import { describe, expect, it } from "vitest";
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import readme from "../../../README.md?raw";
import { app } from "../../src/app.ts";
import { access, policyOf, type AccessEnv, type AccessPolicy } from "../../src/routes/access-policy.ts";
import type { Env } from "../../src/env.ts";
import { startInterview } from "./socket-client.ts";
import { ADMIN_TOKEN, bearer, call, postJson, replicated } from "./rest-client.ts";

interface DeclaredRoute {
  method: string;
  path: string;
  policy: AccessPolicy;
}

/** `| \`GET /sessions?limit=20\` | admin | …`: the README's "HTTP routes" table. */
function readmeRoutes(): DeclaredRoute[] {
  const rows: DeclaredRoute[] = [];
  for (const line of readme.split("\n")) {
    const match = /^\| `(GET|POST|PUT|PATCH|DELETE) ([^`?]+)(?:\?[^`]*)?` \| (public|admin|session|either) \|/.exec(line);
    if (match) rows.push({ method: match[1]!, path: match[2]!, policy: match[3] as AccessPolicy });
  }
  return rows;
}

/** Every route the app registers, with the policies its handlers declare. */
function registeredRoutes(): { method: string; path: string; policies: AccessPolicy[] }[] {
  const byRoute = new Map<string, { method: string; path: string; policies: AccessPolicy[] }>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue; // app-wide middleware (CORS), not a route
    const key = `${route.method} ${route.path}`;
    const entry = byRoute.get(key) ?? { method: route.method, path: route.path, policies: [] };
    const policy = policyOf(route.handler);
    if (policy) entry.policies.push(policy);
    byRoute.set(key, entry);
  }
  return [...byRoute.values()];
}

const sorted = (routes: DeclaredRoute[]) => routes.map((r) => `${r.method} ${r.path} ${r.policy}`).sort();

describe("the route table", () => {
  it("declares exactly one policy on every registered route", () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.policies.length !== 1).map((r) => `${r.method} ${r.path}: ${r.policies.join(",") || "none"}`)).toEqual([]);
  });

  it("is the README's table, route for route", () => {
    const fromApp = registeredRoutes().map((r) => ({ method: r.method, path: r.path, policy: r.policies[0]! }));
    expect(readmeRoutes().length).toBeGreaterThan(10);
    expect(sorted(readmeRoutes())).toEqual(sorted(fromApp));
  });
});

/** A request for a route: the path with its parameters, and a body naming the session where it has one. */
type Probe = (ids: { sessionId: string }) => { path: string; init?: RequestInit };

/** How to name a session on each `either` route (its path, query or body). A new `either` route needs one. */
const SESSION_PROBES: Record<string, Probe> = {
  "POST /checkins": ({ sessionId }) => ({ path: "/checkins", init: postJson({ sessionId, confidence: 3, stress: 3 }) }),
  "POST /stt": ({ sessionId }) => ({ path: `/stt?sessionId=${sessionId}`, init: { method: "POST" } }),
  "POST /tts": ({ sessionId }) => ({ path: "/tts", init: postJson({ text: "Hi", sessionId }) }),
  "POST /sessions/:id/answers/audio": ({ sessionId }) => ({ path: `/sessions/${sessionId}/answers/audio`, init: { method: "POST" } }),
  "DELETE /sessions/:id": ({ sessionId }) => ({ path: `/sessions/${sessionId}`, init: { method: "DELETE" } }),
  "GET /sessions/:id/report": ({ sessionId }) => ({ path: `/sessions/${sessionId}/report` }),
};

function withHeaders(init: RequestInit | undefined, headers: Record<string, string>): RequestInit {
  return { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), ...headers } };
}

/** An admin or public route's request: parameters filled with ids nobody has (a 404 is fine; a 401 or 403 is not). */
function plainProbe(method: string, path: string): { path: string; init: RequestInit } {
  return { path: path.replace(/:[a-zA-Z]+/g, crypto.randomUUID()), init: { method } };
}

const refused = (status: number) => status === 401 || status === 403;

describe("each route under its policy", () => {
  const routes = readmeRoutes();

  it.each(routes.filter((r) => r.policy === "public").map((r) => [`${r.method} ${r.path}`, r] as const))("%s lets anyone in", async (_name, route) => {
    const { path, init } = plainProbe(route.method, route.path);
    expect(refused((await call(path, init)).status)).toBe(false);
  });

  it.each(routes.filter((r) => r.policy === "admin").map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: 401 without a token, 403 with a wrong one or a resume token, in with the admin token",
    async (_name, route) => {
      const { socket, started } = await startInterview({ consent: true });
      const { path, init } = plainProbe(route.method, route.path);
      expect((await call(path, init)).status).toBe(401);
      expect((await call(path, withHeaders(init, { Authorization: `Basic ${ADMIN_TOKEN}` }))).status).toBe(401);
      expect((await call(path, withHeaders(init, bearer(`${ADMIN_TOKEN}x`)))).status).toBe(403);
      expect((await call(path, withHeaders(init, bearer(started.resumeToken as string)))).status).toBe(403);
      expect(refused((await call(path, withHeaders(init, bearer(ADMIN_TOKEN)))).status)).toBe(false);
      socket.close();
    },
  );

  it.each(routes.filter((r) => r.policy === "either").map((r) => [`${r.method} ${r.path}`, r] as const))(
    "%s: 401 without a token, 403 with a stranger's or another session's, in with the session's or the admin's",
    async (name, route) => {
      const probe = SESSION_PROBES[name];
      if (!probe) throw new Error(`${name} is an either route: add how to name its session to SESSION_PROBES`);
      const own = await startInterview({ consent: true });
      const other = await startInterview({ consent: true });
      const { path, init } = probe({ sessionId: own.started.session_id });
      expect((await call(path, init)).status).toBe(401);
      expect((await call(path, withHeaders(init, { Authorization: "Token abc" }))).status).toBe(401);
      expect((await call(path, withHeaders(init, bearer("not-a-token")))).status).toBe(403);
      expect((await call(path, withHeaders(init, bearer(`${ADMIN_TOKEN}x`)))).status).toBe(403);
      const stranger = await call(path, withHeaders(init, bearer(other.started.resumeToken as string)));
      expect(stranger.status).toBe(403);
      expect(await stranger.json()).toMatchObject({ code: "forbidden" });
      // The admin finds the session in D1 (after the session's own call: a DELETE leaves nothing to refuse).
      await replicated(own.started.resumeToken as string, own.started.session_id);
      const ownResponse = await call(path, withHeaders(init, bearer(own.started.resumeToken as string)));
      expect(refused(ownResponse.status), `${ownResponse.status} ${await ownResponse.text()}`).toBe(false);
      expect(refused((await call(path, withHeaders(init, bearer(ADMIN_TOKEN)))).status)).toBe(false);
      own.socket.close();
      other.socket.close();
    },
  );
});

describe("the session policy", () => {
  const sessionOnly = new Hono<AccessEnv>().get("/own/:id", access("session", { session: "param" }), (c) => c.json({ granted: c.get("access").session?.id }));
  const request = (path: string, headers: Record<string, string>) => sessionOnly.request(path, { headers }, { ...(env as unknown as Env), ADMIN_TOKEN, ENVIRONMENT: "production" });

  it("takes the session's own resume token and nothing else, the admin token included", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const path = `/own/${started.session_id}`;
    const own = await request(path, bearer(started.resumeToken as string));
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ granted: started.session_id });
    expect((await request(path, {})).status).toBe(401);
    expect((await request(path, bearer(ADMIN_TOKEN))).status).toBe(403);
    socket.close();
  });
});

describe("a resume token for an earlier session of its interview", () => {
  it("is checked against that session's row in the object's outbox, then in D1; another session's is refused", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const firstId = started.session_id;
    const firstToken = started.resumeToken as string;
    socket.send({ type: "start_session", consent: true });
    const second = await socket.next("session_started");
    await socket.next("question");
    const checkin = (token: string) => call("/checkins", postJson({ sessionId: firstId, confidence: 5, stress: 5 }, bearer(token)));
    // The object runs the second session now; the first waits in its outbox: found there.
    const held = await checkin(firstToken);
    // Granted, but D1 has no row to add the check-in to yet: retry shortly.
    expect(held.status).toBe(503);
    expect(held.headers.get("Retry-After")).toBe("5");
    expect(await held.json()).toMatchObject({ code: "unavailable" });
    expect((await checkin(second.resumeToken as string)).status).toBe(403);
    // Once D1 has it, the token is checked against D1's row and the check-in is stored there.
    await replicated(firstToken, firstId);
    const stored = await checkin(firstToken);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ status: "ok", stored: true });
    expect((await checkin(second.resumeToken as string)).status).toBe(403);
    socket.close();
  });
});

describe("session ids the policy reads", () => {
  it("refuses a ?sessionId= that is not one with 400 before anything else is read", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const response = await call(`/stt?sessionId=${"x".repeat(101)}`, { method: "POST", headers: bearer(started.resumeToken as string) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed", message: "sessionId: is too long" });
    socket.close();
  });

  it("leaves a bad path id to the route's validator (400), whoever calls", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const response = await call(`/sessions/${"x".repeat(101)}`, { method: "DELETE", headers: bearer(started.resumeToken as string) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed" });
    socket.close();
  });
});
