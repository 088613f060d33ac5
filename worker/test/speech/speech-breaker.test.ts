/**
 * The speech client behind a circuit breaker, against a real HTTP server on loopback that
 * counts the requests reaching it: 5xx, network errors and timeouts open the circuit, after
 * which calls fail fast (503 `unavailable`, with when it will be retried) and no request
 * reaches the server; the caller's 4xx (bad audio, too large, busy) never count; the probe
 * after the cooldown closes it again.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SpeechClient, type SpeechResult } from "../../src/clients/speech-client.ts";
import { SharedBreaker } from "../../src/health/shared-breaker.ts";

let server: http.Server;
let base = "";
let requests = 0;
let reply: { status: number; body: unknown; hang?: boolean } = { status: 200, body: {} };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on("end", () => {
      if (reply.hang) return;
      res.writeHead(reply.status, { "Content-Type": "application/json" }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests = 0;
  reply = { status: 200, body: { text: "hello", words: [], segments: [] } };
});

function setup(options: { baseUrl?: string; transcribeTimeoutMs?: number } = {}) {
  let now = 0;
  const breaker = new SharedBreaker({ clock: () => now, name: "speech" });
  const client = new SpeechClient({ baseUrl: options.baseUrl ?? base, breaker, transcribeTimeoutMs: options.transcribeTimeoutMs });
  const transcribe = () => client.transcribe(new Blob([new Uint8Array([1, 2, 3])], { type: "audio/wav" }), { language: "en", wordTimestamps: true });
  return { breaker, transcribe, advance: (ms: number) => (now += ms) };
}

const failureOf = <T>(result: SpeechResult<T>) => {
  if (result.ok) throw new Error("expected a failure");
  return result.failure;
};

const serverError = { status: 500, body: { error: { message: "model crashed", code: "internal_error" } } };

describe("speech client behind the circuit breaker", () => {
  it("fails fast once 5xx opened it: no request reaches the server, 503 says when it retries", async () => {
    const { breaker, transcribe } = setup();
    reply = serverError;
    for (let i = 0; i < 3; i++) expect(failureOf(await transcribe())).toMatchObject({ status: 503, message: /failed \(HTTP 500/ });
    expect(requests).toBe(3);
    expect(breaker.state()).toBe("open");
    const refused = failureOf(await transcribe());
    expect(refused).toEqual({
      status: 503,
      code: "unavailable",
      message: "The speech worker is failing; this server will try it again in about 30 s.",
      retryAfter: "30",
    });
    expect(requests).toBe(3);
  });

  it("lets one probe through after the cooldown; its success closes the circuit", async () => {
    const { breaker, transcribe, advance } = setup();
    reply = serverError;
    for (let i = 0; i < 3; i++) await transcribe();
    reply = { status: 200, body: { text: "back", words: [], segments: [] } };
    advance(30_000);
    const [probe, refused] = await Promise.all([transcribe(), transcribe()]);
    expect(probe.ok).toBe(true);
    expect(failureOf(refused).message).toMatch(/is failing/);
    expect(requests).toBe(4);
    expect(breaker.state()).toBe("closed");
    expect((await transcribe()).ok).toBe(true);
  });

  it("does not count the caller's own errors (bad audio, too large, busy): they pass through as before", async () => {
    const { breaker, transcribe } = setup();
    const callerErrors = [
      { status: 400, body: { error: { message: "not audio", code: "invalid_audio" } } },
      { status: 413, body: { error: { message: "too big", code: "payload_too_large" } } },
      { status: 429, body: { error: { message: "queue full", code: "busy" } } },
    ];
    for (let round = 0; round < 2; round++) {
      for (const error of callerErrors) {
        reply = error;
        expect(failureOf(await transcribe()).status).toBe(error.status);
      }
    }
    expect(breaker.state()).toBe("closed");
    expect(requests).toBe(6);
  });

  it("counts network errors and timeouts", async () => {
    const closed = setup({ baseUrl: "http://127.0.0.1:1" });
    for (let i = 0; i < 3; i++) expect(failureOf(await closed.transcribe()).message).toMatch(/cannot be reached/);
    expect(closed.breaker.state()).toBe("open");

    reply = { ...serverError, hang: true };
    const hung = setup({ transcribeTimeoutMs: 50 });
    for (let i = 0; i < 3; i++) expect(failureOf(await hung.transcribe()).message).toMatch(/did not answer within/);
    expect(hung.breaker.state()).toBe("open");
    expect(failureOf(await hung.transcribe()).message).toMatch(/is failing/);
    expect(requests).toBe(3);
  });
});
