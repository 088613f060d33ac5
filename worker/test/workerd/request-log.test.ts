/**
 * The Worker's request line (ops/request-log.ts): one JSON line per request with its id, the
 * path without the query, the status and the session the path names; the id echoed in
 * `X-Request-Id`, the caller's when sane, otherwise the Worker's own.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { asAdmin, call } from "./rest-client.ts";

afterEach(() => vi.restoreAllMocks());

function requestLines(spy: { mock: { calls: unknown[][] } }): Record<string, unknown>[] {
  return spy.mock.calls
    .map((args) => String(args[0]))
    .filter((text) => text.startsWith('{"event":"request"'))
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

describe("request line", () => {
  it("one line: id, method, path without the query, status, no session", async () => {
    const log = vi.spyOn(console, "log");
    const response = await asAdmin("/sessions?limit=5&token=secret-in-query", { headers: { "x-request-id": "trace-log-1" } });
    expect(response.headers.get("x-request-id")).toBe("trace-log-1");
    const lines = requestLines(log);
    expect(lines).toEqual([{ event: "request", requestId: "trace-log-1", method: "GET", path: "/sessions", status: response.status, ms: expect.any(Number), sessionId: null }]);
    expect(JSON.stringify(lines)).not.toContain("secret-in-query");
  });

  it("names the session a path names; /metrics/summary names none", async () => {
    const log = vi.spyOn(console, "log");
    await asAdmin("/export/session/11111111-2222-3333-4444-555555555555");
    await asAdmin("/metrics/summary");
    expect(requestLines(log).map((l) => l.sessionId)).toEqual(["11111111-2222-3333-4444-555555555555", null]);
  });

  it("a caller's id that is not sane is replaced (too long, or with other characters)", async () => {
    for (const given of ["x".repeat(129), "a b", "<id>"]) {
      const id = (await call("/health", { headers: { "x-request-id": given } })).headers.get("x-request-id");
      expect(id).not.toBe(given);
      expect(id).toMatch(/^[\w-]{1,128}$/);
    }
  });

  it("Cloudflare's cf-ray when the caller sent none", async () => {
    const response = await call("/health", { headers: { "cf-ray": "8f3a2b1c4d5e6f70-LHR" } });
    expect(response.headers.get("x-request-id")).toBe("8f3a2b1c4d5e6f70-LHR");
  });
});
