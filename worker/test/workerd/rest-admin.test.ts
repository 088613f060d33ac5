/**
 * The admin routes (`/metrics/summary`, `/export/session/:id`, `/sessions`, `/comments`):
 * success shapes, 400 with a message for bad input, 401/403 for missing or wrong tokens,
 * 503 when ADMIN_TOKEN is unset in production (open in development while unset), 404 for unknown ids,
 * 503 when D1 is down. Full-interview content is in interview-export.test.ts.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "./socket-client.ts";
import { ADMIN_TOKEN, asAdmin, bearer, call, failingDb, postJson, replicated } from "./rest-client.ts";

const ADMIN_ROUTES = ["/metrics/summary", `/export/session/${crypto.randomUUID()}`, "/sessions", `/comments/${crypto.randomUUID()}`];

describe("admin auth", () => {
  it.each(ADMIN_ROUTES)("%s: 401 without a token, 403 with a wrong one", async (path) => {
    const missing = await call(path);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: "unauthorized" });
    const wrong = await call(path, { headers: bearer(`${ADMIN_TOKEN}x`) });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "forbidden" });
  });

  it("refuses a session's resume token on admin routes", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const response = await call(`/export/session/${started.session_id}`, { headers: bearer(started.resumeToken as string) });
    expect(response.status).toBe(403);
    socket.close();
  });

  it("answers 503 when ADMIN_TOKEN is unset in production; development is open only while it is unset", async () => {
    const unset = await call("/sessions", { headers: bearer("anything") }, { ADMIN_TOKEN: undefined });
    expect(unset.status).toBe(503);
    expect(await unset.json()).toMatchObject({ code: "unavailable" });
    const dev = await call("/sessions", {}, { ADMIN_TOKEN: undefined, ENVIRONMENT: "development" });
    expect(dev.status).toBe(200);
    // Setting ADMIN_TOKEN in development asks for the production behaviour.
    const devTokenless = await call("/sessions", {}, { ENVIRONMENT: "development" });
    expect(devTokenless.status).toBe(401);
    const devAdmin = await call("/sessions", { headers: bearer(ADMIN_TOKEN) }, { ENVIRONMENT: "development" });
    expect(devAdmin.status).toBe(200);
    const devWrong = await call("/sessions", { headers: bearer("wrong") }, { ENVIRONMENT: "development" });
    expect(devWrong.status).toBe(403);
  });

  it("answers 503 when D1 is down", async () => {
    const response = await asAdmin("/sessions", {}, { DB: failingDb() });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "unavailable" });
  });
});

describe("GET /export/session/:id", () => {
  it("exports a session", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "treatment" });
    const token = started.resumeToken as string;
    await replicated(token, started.session_id);
    const response = await asAdmin(`/export/session/${started.session_id}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(Object.keys(body)).toEqual(["session", "answers", "checkins", "telemetry", "feedback"]);
    expect(body.session).toMatchObject({ id: started.session_id, group_name: "treatment", consented: true, group_assignment: "client" });
    expect(body.session.resume_token_hash).toBeUndefined();
    expect(body.telemetry[0]).toMatchObject({ event_type: "session_meta", payload: { pack: "swe_behavioral" } });
    socket.close();
  });

  it("answers 404 for an unknown session", async () => {
    const response = await asAdmin(`/export/session/${crypto.randomUUID()}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found", message: expect.stringContaining("Unknown session") });
  });
});

describe("GET /sessions", () => {
  it("lists sessions newest first with aggregates, clamping the limit", async () => {
    const a = await startInterview({ consent: true });
    await replicated(a.started.resumeToken as string, a.started.session_id);
    const response = await asAdmin("/sessions?limit=500");
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: Record<string, unknown>[] };
    expect(items.length).toBeGreaterThanOrEqual(1);
    expect(items.length).toBeLessThanOrEqual(100);
    const mine = items.find((i) => i.id === a.started.session_id);
    expect(mine).toMatchObject({ n_answers: 0, last_turn: 0, last_answer_at: null, avg_speaking_rate: null });
    const one = (await (await asAdmin("/sessions?limit=0")).json()) as { items: unknown[] };
    expect(one.items).toHaveLength(1);
    a.socket.close();
  });

  it("filters by arm and participant and pages with next/before", async () => {
    const first = await startInterview({ consent: true });
    await replicated(first.started.resumeToken as string, first.started.session_id);
    first.socket.close();
    const personal = (await (await asAdmin(`/sessions?participantId=${first.started.participantId as string}`)).json()) as { items: { id: string; group_name: string }[]; next: string | null };
    expect(personal.items.map((i) => i.id)).toEqual([first.started.session_id]);
    expect(personal.next).toBeNull();
    const arm = personal.items[0]!.group_name;
    const other = arm === "control" ? "treatment" : "control";
    const inArm = (await (await asAdmin(`/sessions?limit=100&group=${arm}`)).json()) as { items: { id: string; group_name: string }[] };
    expect(inArm.items.map((i) => i.id)).toContain(first.started.session_id);
    expect(inArm.items.every((i) => i.group_name === arm)).toBe(true);
    const notInArm = (await (await asAdmin(`/sessions?limit=100&group=${other}`)).json()) as { items: { id: string }[] };
    expect(notInArm.items.map((i) => i.id)).not.toContain(first.started.session_id);

    // One at a time: each page continues after the last, without repeats.
    const all = (await (await asAdmin("/sessions?limit=100")).json()) as { items: { id: string }[] };
    const paged: string[] = [];
    let next: string | null = null;
    for (let i = 0; i < Math.min(all.items.length, 3); i++) {
      const page = (await (await asAdmin(`/sessions?limit=1${next ? `&before=${encodeURIComponent(next)}` : ""}`)).json()) as { items: { id: string }[]; next: string | null };
      paged.push(...page.items.map((item) => item.id));
      next = page.next;
      if (next === null) break;
    }
    expect(paged).toEqual(all.items.slice(0, paged.length).map((i) => i.id));
    expect(new Set(paged).size).toBe(paged.length);
  });

  it("refuses filters it cannot read, naming them", async () => {
    for (const [query, field] of [
      ["group=both", "group"],
      ["before=yesterday", "before"],
      ["from=soon", "from"],
      ["consented=perhaps", "consented"],
      ["participantId=%20", "participantId"],
    ] as const) {
      const response = await asAdmin(`/sessions?${query}`);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code, query).toBe("validation_failed");
      expect(body.message.startsWith(`${field}:`), `${query}: ${body.message}`).toBe(true);
    }
  });

  it("refuses a non-numeric limit", async () => {
    const response = await asAdmin("/sessions?limit=many");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: "validation_failed", message: "limit: must be a whole number from 1 to 100 (values outside are clamped; default 20)" });
  });
});

describe("comments", () => {
  it("stores a comment and an assignment and lists them oldest first", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "control" });
    const id = started.session_id;
    await replicated(started.resumeToken as string, id);
    const first = await asAdmin("/comments", postJson({ sessionId: id, turn: 1, text: "Good structure", author: "ana" }));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: "ok" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await asAdmin("/comments", postJson({ sessionId: id, turn: "2", text: "Practise STAR", kind: "assignment" }))).status).toBe(200);
    const list = await asAdmin(`/comments/${id}`);
    expect(list.status).toBe(200);
    const { items } = (await list.json()) as { items: Record<string, unknown>[] };
    expect(items.map((i) => [i.event_type, i.payload, i.group_name])).toEqual([
      ["comment", { turn: 1, text: "Good structure", author: "ana", kind: "comment" }, "control"],
      ["assignment", { turn: 2, text: "Practise STAR", author: null, kind: "assignment" }, "control"],
    ]);
    socket.close();
  });

  it("answers 404 for unknown sessions", async () => {
    const post = await asAdmin("/comments", postJson({ sessionId: crypto.randomUUID(), turn: 1, text: "x" }));
    expect(post.status).toBe(404);
    const get = await asAdmin(`/comments/${crypto.randomUUID()}`);
    expect(get.status).toBe(404);
    expect(await get.json()).toMatchObject({ code: "not_found" });
  });

  it.each([
    [{ turn: 1, text: "x" }, "sessionId"],
    [{ sessionId: "s", turn: 1, text: "   " }, "text"],
    [{ sessionId: "s", turn: "one", text: "x" }, "turn"],
    [{ sessionId: "s", turn: 1, text: "x", kind: "grade" }, "kind"],
  ])("refuses %j with 400 naming %s", async (body, field) => {
    const response = await asAdmin("/comments", postJson(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "validation_failed", message: expect.stringContaining(`${field}:`) });
  });
});

describe("GET /metrics/summary filters", () => {
  it.each([["from=yesterday"], ["to=2026-13-45"], ["pack=cooking"], ["style=rude"]])("refuses %s with 400", async (query) => {
    const response = await asAdmin(`/metrics/summary?${query}`);
    expect(response.status).toBe(400);
    const key = query.split("=")[0]!;
    expect(await response.json()).toMatchObject({ code: "validation_failed", message: expect.stringContaining(`${key}:`) });
  });

  it("answers the seed's shape for an empty window", async () => {
    const response = await asAdmin("/metrics/summary?from=1990-01-01&to=1990-01-02");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(Object.keys(body.groups)).toEqual(["control", "treatment"]);
    expect(body.groups.control).toMatchObject({ n_answers: 0, avg_speaking_rate: null });
    expect(Object.keys(body.delta).slice(0, 6)).toEqual(["speaking_rate", "pause_ratio", "gaze", "fillers", "confidence", "stress"]);
    expect(body.per_session.speaking_rate.welch).toBeNull();
  });
});
