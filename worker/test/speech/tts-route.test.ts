/**
 * `POST /tts` in Node against a fake speech server (a stubbed global fetch), for what the real
 * speech worker never does: a 2xx that is not audio or is empty (503, nothing cached), and a
 * voice name that is not a valid header value. Also the cache key (text, voice, speed).
 * Development mode and no token: auth is covered in test/speech-workerd/tts.test.ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env.ts";
import { speech, voiceHeader } from "../../src/routes/speech.ts";

const env = { ENVIRONMENT: "development", SPEECH_WORKER_URL: "http://speech.test" } as Env;
const wav = () => new Uint8Array([82, 73, 70, 70, 0, 0, 0, 0]);

function fakeSpeechServer(reply: (body: { voice: string; speed: number }) => Response) {
  const calls: { voice: string; speed: number }[] = [];
  vi.stubGlobal("fetch", async (_input: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as { voice: string; speed: number };
    calls.push(body);
    return reply(body);
  });
  return calls;
}

const tts = (body: Record<string, unknown>) =>
  speech.request("/tts", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, env);
const fresh = (text: string) => `${text} ${crypto.randomUUID()}`;

afterEach(() => vi.unstubAllGlobals());

describe("POST /tts against a misbehaving speech server", () => {
  it("answers 503 for a 2xx that is not audio, and caches nothing", async () => {
    const calls = fakeSpeechServer(() => new Response("<html>login</html>", { headers: { "Content-Type": "text/html" } }));
    const text = fresh("Hello");
    for (let i = 0; i < 2; i++) {
      const response = await tts({ text });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/text\/html.*not audio/) });
    }
    expect(calls).toHaveLength(2);
  });

  it("answers 503 for audio without a Content-Type or without bytes", async () => {
    fakeSpeechServer(() => new Response(wav()));
    expect((await tts({ text: fresh("Hi") })).status).toBe(503);
    fakeSpeechServer(() => new Response(new Uint8Array(0), { headers: { "Content-Type": "audio/wav" } }));
    const empty = await tts({ text: fresh("Hi") });
    expect(empty.status).toBe(503);
    expect(await empty.json()).toMatchObject({ code: "unavailable", message: "The speech worker sent no audio." });
  });

  it("sends a voice that is not a header value percent-encoded, and serves it from the cache", async () => {
    const calls = fakeSpeechServer(() => new Response(wav(), { headers: { "Content-Type": "audio/wav" } }));
    const text = fresh("Welcome");
    const first = await tts({ text, speaker: "Zoë 声" });
    expect(first.status).toBe(200);
    expect(first.headers.get("X-TTS-Voice")).toBe("Zo%C3%AB%20%E5%A3%B0");
    const again = await tts({ text, speaker: "Zoë 声" });
    expect(again.status).toBe(200);
    expect(again.headers.get("X-TTS-Cache")).toBe("hit");
    expect(again.headers.get("X-TTS-Voice")).toBe("Zo%C3%AB%20%E5%A3%B0");
    expect(calls.map((c) => c.voice)).toEqual(["Zoë 声"]);
  });

  it("keys the cache on (text, voice, speed): style only through its speed, language not at all", async () => {
    const calls = fakeSpeechServer(() => new Response(wav(), { headers: { "Content-Type": "audio/wav" } }));
    const text = fresh("Next");
    expect((await tts({ text, style: "neutral" })).headers.get("X-TTS-Cache")).toBe("miss");
    for (const same of [{ style: "whimsical" }, {}, { style: "neutral", language: "de" }, { speaker: "alloy" }]) {
      expect((await tts({ text, ...same })).headers.get("X-TTS-Cache")).toBe("hit");
    }
    for (const other of [{ style: "cold" }, { speaker: "am_echo" }]) {
      expect((await tts({ text, ...other })).headers.get("X-TTS-Cache")).toBe("miss");
    }
    expect(calls).toHaveLength(3);
  });
});

describe("voiceHeader", () => {
  it("keeps printable ASCII, percent-encodes the rest, and gives up on a lone surrogate", () => {
    expect(voiceHeader("am_echo")).toBe("am_echo");
    expect(voiceHeader("Claribel Dervla")).toBe("Claribel Dervla");
    expect(voiceHeader("a\nb")).toBe("a%0Ab");
    expect(voiceHeader("\ud800")).toBeNull();
  });
});
