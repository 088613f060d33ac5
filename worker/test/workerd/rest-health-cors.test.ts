/** `GET /health` with storage reachability, CORS from the allow-list, and the 404 fallback. */
import { describe, expect, it } from "vitest";
import { call, failingDb } from "./rest-client.ts";

describe("GET /health", () => {
  it("reports ok with reachable storage", async () => {
    const response = await call("/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", storage: "ok", model: "off", speech: "off" });
  });

  it("reports degraded with 503 when D1 is unreachable", async () => {
    const response = await call("/health", {}, { DB: failingDb() });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: "degraded", storage: "unreachable", model: "off", speech: "off" });
  });
});

describe("CORS", () => {
  const origins = "https://app.example.org, http://localhost:5173";

  it("echoes an allowed origin, with credentials", async () => {
    const response = await call("/health", { headers: { Origin: "http://localhost:5173" } }, { CORS_ORIGINS: origins });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("http://localhost:5173");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBe("true");
  });

  it("exposes the TTS report headers and Retry-After to the page", async () => {
    const response = await call("/health", { headers: { Origin: "http://localhost:5173" } }, { CORS_ORIGINS: origins });
    const exposed = (response.headers.get("Access-Control-Expose-Headers") ?? "").split(",").map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(["Retry-After", "X-TTS-Speed", "X-TTS-Voice", "X-TTS-Cache", "X-Sample-Rate"]));
  });

  it("answers a preflight for an allowed origin", async () => {
    const response = await call(
      "/checkins",
      { method: "OPTIONS", headers: { Origin: "https://app.example.org", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } },
      { CORS_ORIGINS: origins },
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.org");
    expect(response.headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);
  });

  it("gives no CORS grant to other origins, or to any when the list is empty in production", async () => {
    const other = await call("/health", { headers: { Origin: "https://evil.example" } }, { CORS_ORIGINS: origins });
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const none = await call("/health", { headers: { Origin: "https://app.example.org" } });
    expect(none.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("allows any origin, without credentials, in development with no list", async () => {
    const response = await call("/health", { headers: { Origin: "http://localhost:3000" } }, { ENVIRONMENT: "development" });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });
});

describe("unknown routes", () => {
  it("answer 404 with the error shape", async () => {
    const response = await call("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });
});
