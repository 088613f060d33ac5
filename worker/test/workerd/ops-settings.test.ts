/**
 * Variables validated on an isolate's first request (ops/settings.ts), here inside workerd
 * with the wrangler.toml bindings and one variable made bad per case: every route answers 503
 * with a message that names nothing, and one `config_invalid` line names the variable.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { settingsProblems } from "../../src/ops/settings.ts";
import { call, testEnv } from "./rest-client.ts";

afterEach(() => vi.restoreAllMocks());

function loggedProblems(error: { mock: { calls: unknown[][] } }): unknown[] {
  return error.mock.calls
    .map((args) => (typeof args[0] === "string" && args[0].startsWith("{") ? (JSON.parse(args[0]) as { event?: string; problems?: unknown[] }) : null))
    .filter((line) => line?.event === "config_invalid")
    .flatMap((line) => line?.problems ?? []);
}

describe("a bad variable", () => {
  it("NVIDIA_LLM_TIMEOUT=abc: 503 for every route, and the log names it", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await call("/health", {}, { NVIDIA_LLM_TIMEOUT: "abc" });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toBe("unavailable");
    expect(body.message).toMatch(/misconfigured/);
    expect(body.message).not.toMatch(/NVIDIA/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(loggedProblems(error)).toEqual([{ variable: "NVIDIA_LLM_TIMEOUT", problem: "must be a number of seconds" }]);
  });

  it("the WebSocket upgrade is refused too, before any interview object is made", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const response = await call("/ws/interview", { headers: { Upgrade: "websocket" } }, { ENVIRONMENT: "prod" });
    expect(response.status).toBe(503);
  });

  it("names each bad variable and never its value", () => {
    const problems = settingsProblems({
      NVIDIA_LLM_TIMEOUT: "500",
      NVIDIA_LLM_URL: "ftp://example.org",
      SPEECH_WORKER_URL: "http://a:8788, not a url",
      ALLOW_CLIENT_GROUP: "yes",
      ADMIN_TOKEN: "short-secret",
      CORS_ORIGINS: "https://app.example.org/path",
      RATE_LIMITS: "of",
      COACH_RUBRIC: "no",
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      ["ADMIN_TOKEN", "ALLOW_CLIENT_GROUP", "COACH_RUBRIC", "CORS_ORIGINS", "NVIDIA_LLM_TIMEOUT", "NVIDIA_LLM_URL", "RATE_LIMITS", "SPEECH_WORKER_URL"].sort(),
    );
    expect(JSON.stringify(problems)).not.toMatch(/short-secret/);
  });
});

describe("good variables", () => {
  it("the test bindings (wrangler.toml plus the tests' own) are valid", () => {
    expect(settingsProblems(testEnv())).toEqual([]);
  });

  it("accepts the documented forms; empty means unset", () => {
    expect(
      settingsProblems({
        ENVIRONMENT: "staging",
        NVIDIA_LLM_TIMEOUT: " 2.5 ",
        NVIDIA_LLM_URL: "https://integrate.api.nvidia.com/v1/chat/completions",
        SPEECH_WORKER_URL: "https://speech-1.example.org, https://speech-2.example.org/v1",
        ALLOW_CLIENT_GROUP: "TRUE",
        CORS_ORIGINS: "https://app.example.org, http://localhost:5173/",
        RATE_LIMITS: "off",
        COACH_RUBRIC: "off",
        ADMIN_TOKEN: "0123456789abcdef0123",
        SPEECH_API_KEY: "",
      }),
    ).toEqual([]);
  });
});
