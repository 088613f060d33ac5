/**
 * The speech worker's health through the routes, inside workerd: calls to an unreachable
 * speech worker open its circuit (in this isolate and in the fleet's ServiceHealth object),
 * after which /tts fails fast with 503 `unavailable`, saying when it will try again, with
 * Retry-After. (That no request goes out while open is shown against a counting server in
 * test/speech/speech-breaker.test.ts.) The real speech worker, another URL, is unaffected.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { speechApiBase } from "../../src/clients/speech-client.ts";
import { healthKey } from "../../src/health/dependencies.ts";
import { ADMIN_TOKEN, bearer, call, postJson } from "../workerd/rest-client.ts";
import { speechDown } from "./speech-helpers.ts";

const tts = (overrides = {}) => call("/tts", postJson({ text: `Hello ${crypto.randomUUID().slice(0, 8)}.` }, bearer(ADMIN_TOKEN)), overrides);

function healthOf(url: string) {
  const namespace = env.SERVICE_HEALTH!;
  return namespace.get(namespace.idFromName(healthKey("speech", speechApiBase(url)!)));
}

describe("speech worker health", () => {
  it("fails fast once an unreachable speech worker opened the circuit, with Retry-After; the working URL is unaffected", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await tts(speechDown);
      expect(await response.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/cannot be reached/) });
    }
    const refused = await tts(speechDown);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("Retry-After")).toBe("30");
    expect(await refused.json()).toEqual({ code: "unavailable", message: "The speech worker is failing; this server will try it again in about 30 s." });

    const deadline = Date.now() + 5_000;
    while (!(await healthOf(speechDown.SPEECH_WORKER_URL!).view()).opened) {
      if (Date.now() > deadline) throw new Error("the fleet never heard of the outage");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await tts()).status).toBe(200);
  });
});
