/** The shared validation hook in Node: a JSON body needs a JSON content type, and `limit` says what it accepts. */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { CheckinBody, SessionsQuery } from "@interview/shared/rest";
import { NOT_JSON_MESSAGE, validate } from "../../src/routes/validate.ts";

const app = new Hono()
  .post("/checkins", validate("json", CheckinBody), (c) => c.json({ ok: true, body: c.req.valid("json") }))
  .get("/sessions", validate("query", SessionsQuery), (c) => c.json({ limit: c.req.valid("query").limit }));

const body = JSON.stringify({ sessionId: "s-1", confidence: 3, stress: 2 });

describe("validate", () => {
  it("refuses a JSON body sent without a JSON content type, saying what to send", async () => {
    for (const headers of [{}, { "Content-Type": "text/plain" }, { "Content-Type": "application/x-www-form-urlencoded" }] as Record<string, string>[]) {
      const response = await app.request("/checkins", { method: "POST", headers, body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ code: "validation_failed", message: NOT_JSON_MESSAGE });
    }
    expect(NOT_JSON_MESSAGE).toContain("Content-Type: application/json");
  });

  it("accepts JSON content types, with a charset too, and still names missing fields", async () => {
    for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON"]) {
      const response = await app.request("/checkins", { method: "POST", headers: { "Content-Type": type }, body });
      expect(response.status).toBe(200);
    }
    const missing = await app.request("/checkins", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { message: string }).message).toContain("sessionId:");
  });

  it("a non-numeric limit says what a limit must be, not 'received NaN'", async () => {
    for (const limit of ["abc", "2.5"]) {
      const response = await app.request(`/sessions?limit=${limit}`);
      expect(response.status).toBe(400);
      const { message } = (await response.json()) as { message: string };
      expect(message).toBe("limit: must be a whole number from 1 to 100 (values outside are clamped; default 20)");
      expect(message).not.toContain("NaN");
    }
    expect(await (await app.request("/sessions?limit=500")).json()).toEqual({ limit: 100 });
    expect(await (await app.request("/sessions")).json()).toEqual({ limit: 20 });
  });
});
