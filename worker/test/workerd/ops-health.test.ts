/**
 * `GET /health` (one word per part for anyone, the detail for the admin) and `GET /ops` (the
 * operator's fleet-wide figures), inside workerd with the real health objects and D1.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { flushTalliesForTests } from "../../src/ops/fleet-tally.ts";
import { asAdmin, bearer, call, failingDb, replicatedInterview } from "./rest-client.ts";

afterEach(() => vi.restoreAllMocks());

describe("GET /health", () => {
  it("anyone: one word per part; model and speech off when not configured", async () => {
    const response = await call("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", storage: "ok", model: "off", speech: "off" });
  });

  it("anyone, D1 down: 503 degraded, and no internal error text", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const response = await call("/health", {}, { DB: failingDb() });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "degraded", storage: "unreachable", model: "off", speech: "off" });
    expect(text).not.toMatch(/D1 is down/);
  });

  it("the admin, D1 down: the detail names the storage error", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const response = await asAdmin("/health", {}, { DB: failingDb() });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { detail: { storage: { ok: boolean; error: string } } };
    expect(body.detail.storage).toMatchObject({ ok: false, error: expect.stringMatching(/D1 is down/) });
  });

  it("the admin, a model configured: its breaker in the detail, model ok", async () => {
    const response = await asAdmin("/health", {}, { NVIDIA_API_KEY: "nvapi-test", NVIDIA_LLM_URL: "http://model.invalid/v1/chat/completions" });
    const body = (await response.json()) as { model: string; detail: { model: { dependency: string; endpoint: string; breaker: { state: string } } } };
    expect(body.model).toBe("ok");
    expect(body.detail.model).toMatchObject({ dependency: "nvidia", endpoint: "http://model.invalid/v1/chat/completions", breaker: { state: "closed" } });
  });

  it("a wrong token is refused (403), a malformed header 401", async () => {
    expect((await call("/health", { headers: bearer("not-the-admin-token") })).status).toBe(403);
    expect((await call("/health", { headers: { Authorization: "Basic abc" } })).status).toBe(401);
  });
});

describe("GET /ops", () => {
  it("needs the admin token: 401 without, 403 wrong, 503 when ADMIN_TOKEN is unset in production", async () => {
    expect((await call("/ops")).status).toBe(401);
    expect((await call("/ops", { headers: bearer("not-the-admin-token") })).status).toBe(403);
    expect((await call("/ops", { headers: bearer("x") }, { ADMIN_TOKEN: undefined })).status).toBe(503);
  });

  it("counts replication runs fleet-wide and reports the backlog (none left once D1 has the records)", async () => {
    const { socket } = await replicatedInterview();
    socket.close();
    await flushTalliesForTests(env);
    const response = await asAdmin("/ops");
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      replication: { outcomes: Record<string, { count: number }>; backlog: { records: number } };
      isolate: { calls: Record<string, unknown> };
      analyticsEngine: string;
    };
    expect(body.replication.outcomes.ok?.count).toBeGreaterThan(0);
    expect(body.replication.backlog.records).toBe(0);
    expect(body.isolate.calls.replication).toBeDefined();
    expect(body.analyticsEngine).toBe("bound");
  });
});
