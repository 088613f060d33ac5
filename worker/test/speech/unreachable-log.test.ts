/**
 * The speech client's one structured log line when the speech worker is unreachable (network
 * error, timeout, 5xx, open circuit), with the session id where known; answered calls log nothing.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SpeechClient } from "../../src/clients/speech-client.ts";
import type { Breaker } from "../../src/health/shared-breaker.ts";

const audio = () => new Blob([new Uint8Array([1, 2, 3])], { type: "audio/wav" });
const options = { language: "en", wordTimestamps: false };

function client(fetcher: typeof fetch, extra: { breaker?: Breaker; sessionId?: string | null; transcribeTimeoutMs?: number } = {}) {
  return new SpeechClient({ baseUrl: "http://speech.test:8788", fetch: fetcher, ...extra });
}

function warnings() {
  const spy = vi.spyOn(console, "warn").mockImplementation(() => {});
  return () => spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

describe("speech_unreachable log line", () => {
  it("network error: one line with the session id and the reason", async () => {
    const lines = warnings();
    const result = await client(async () => { throw new TypeError("fetch failed"); }, { sessionId: "s-42" }).transcribe(audio(), options);
    expect(result.ok).toBe(false);
    expect(lines()).toEqual([
      { event: "speech_unreachable", sessionId: "s-42", path: "/audio/transcriptions", reason: "network", message: "The speech worker cannot be reached (fetch failed)." },
    ]);
  });

  it("timeout, 5xx and an open circuit each log one line; no session id is null", async () => {
    const lines = warnings();
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
    await client(hang, { transcribeTimeoutMs: 5 }).transcribe(audio(), options);
    await client(async () => new Response("boom", { status: 502 })).synthesize({ input: "hi", voice: "af", speed: 1, format: "wav" });
    const open: Breaker = { state: () => "open", refusesNow: () => true, retryInMs: () => 4_000, acquire: async () => null };
    await client(async () => Response.json({ text: "never" }), { breaker: open, sessionId: "s-7" }).transcribe(audio(), options);
    expect(lines()).toMatchObject([
      { event: "speech_unreachable", sessionId: null, reason: "timeout", path: "/audio/transcriptions" },
      { event: "speech_unreachable", sessionId: null, reason: "http_5xx", status: 502, path: "/audio/speech" },
      { event: "speech_unreachable", sessionId: "s-7", reason: "circuit_open", message: expect.stringContaining("about 4 s") },
    ]);
  });

  it("logs nothing for an answered call, a 4xx about the audio, or no speech worker configured", async () => {
    const lines = warnings();
    expect((await client(async () => Response.json({ text: "hello" })).transcribe(audio(), options)).ok).toBe(true);
    const bad = Response.json({ error: { message: "bad audio", code: "invalid_audio" } }, { status: 400 });
    expect((await client(async () => bad).transcribe(audio(), options)).ok).toBe(false);
    expect((await new SpeechClient({ baseUrl: undefined }).transcribe(audio(), options)).ok).toBe(false);
    expect(lines()).toEqual([]);
  });
});
