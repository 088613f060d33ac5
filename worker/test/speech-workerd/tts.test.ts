/**
 * `POST /tts` against the real speech worker: WAV out, the style's speed as the speech worker
 * saw it (the tiny Kokoro's output length scales with 1 / speed), voices and the fallback for
 * unknown speakers, the per-isolate cache, bad input, auth, and a speech worker that is down.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "../workerd/socket-client.ts";
import { ADMIN_TOKEN, bearer, call, postJson, replicated } from "../workerd/rest-client.ts";
import { speechDown, trackedBody, wavDataBytes } from "./speech-helpers.ts";

/** A text no other test uses, so the per-isolate cache never answers for another test. */
const fresh = (text: string) => `${text} ${crypto.randomUUID().slice(0, 8)}.`;

async function tts(body: Record<string, unknown>, headers: Record<string, string> = bearer(ADMIN_TOKEN), overrides = {}) {
  return call("/tts", postJson(body, headers), overrides);
}

describe("POST /tts", () => {
  it("answers audio/wav at the style's speed (1.06 / 1.0 / 0.94; unknown style 1.0)", async () => {
    const text = fresh("Tell me about a project you led");
    const lengths: Record<string, number> = {};
    for (const style of ["supportive", "neutral", "cold", "whimsical"]) {
      const response = await tts({ text, style });
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe("audio/wav");
      // An unknown style speaks at 1.0, like neutral: the same (text, voice, speed), from the cache.
      expect(response.headers.get("X-TTS-Cache")).toBe(style === "whimsical" ? "hit" : "miss");
      expect(response.headers.get("X-Sample-Rate")).toBe("24000");
      const wav = await response.arrayBuffer();
      expect(new TextDecoder().decode(wav.slice(0, 4))).toBe("RIFF");
      lengths[style] = wavDataBytes(wav);
      expect(response.headers.get("X-TTS-Speed")).toBe(String({ supportive: 1.06, neutral: 1, cold: 0.94 }[style] ?? 1));
    }
    expect(lengths.neutral! / lengths.supportive!).toBeCloseTo(1.06, 2);
    expect(lengths.neutral! / lengths.cold!).toBeCloseTo(0.94, 2);
    expect(lengths.whimsical).toBe(lengths.neutral);
  });

  it("serves a repeat from the cache, keyed on text, voice and speed", async () => {
    const text = fresh("Welcome back");
    const first = await tts({ text, style: "cold" });
    const again = await tts({ text, style: "cold" });
    expect(again.headers.get("X-TTS-Cache")).toBe("hit");
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(new Uint8Array(await first.arrayBuffer()));
    // The speech API takes no language: the same audio.
    expect((await tts({ text, style: "cold", language: "en" })).headers.get("X-TTS-Cache")).toBe("hit");
    for (const other of [{ style: "neutral" }, { style: "cold", speaker: "am_echo" }]) {
      expect((await tts({ text, ...other })).headers.get("X-TTS-Cache")).toBe("miss");
    }
  });

  it("speaks with the requested voice, and falls back to the default for one the server lacks", async () => {
    const echo = await tts({ text: fresh("Next question"), speaker: "am_echo" });
    expect(echo.headers.get("X-TTS-Voice")).toBe("am_echo");
    const seedSpeaker = await tts({ text: fresh("Next question"), speaker: "Claribel Dervla" });
    expect(seedSpeaker.status).toBe(200);
    expect(seedSpeaker.headers.get("X-TTS-Voice")).toBe("alloy");
    expect((await tts({ text: fresh("Next question") })).headers.get("X-TTS-Voice")).toBe("alloy");
  });

  it("refuses empty, missing and overlong text with 400", async () => {
    for (const body of [{ text: "  " }, {}, { text: 42 }, { text: "a".repeat(4097) }]) {
      const response = await tts(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/^text: /) });
    }
  });

  it("authorises by the session's resume token or the admin token; development takes no token", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const token = started.resumeToken as string;
    await replicated(token, started.session_id);
    expect((await tts({ text: fresh("Hi"), sessionId: started.session_id }, bearer(token))).status).toBe(200);
    expect((await tts({ text: fresh("Hi"), sessionId: started.session_id }, bearer(ADMIN_TOKEN))).status).toBe(200);
    expect((await tts({ text: fresh("Hi") }, bearer(token))).status).toBe(403);
    expect((await tts({ text: fresh("Hi"), sessionId: started.session_id }, {})).status).toBe(401);
    expect((await tts({ text: fresh("Hi") }, {})).status).toBe(401);
    expect((await tts({ text: fresh("Hi"), sessionId: crypto.randomUUID() })).status).toBe(404);
    expect((await tts({ text: fresh("Hi") }, {}, { ENVIRONMENT: "development" })).status).toBe(200);
    expect((await tts({ text: fresh("Hi") }, bearer("wrong"), { ENVIRONMENT: "development" })).status).toBe(403);
    socket.close();
  });

  it("checks the token before reading the body, and refuses a body over 64 KiB with 413", async () => {
    const tokenless = trackedBody();
    const refused = await call("/tts", { method: "POST", headers: { "Content-Type": "application/json" }, body: tokenless.body });
    expect(refused.status).toBe(401);
    expect(tokenless.pulled()).toBe(0);
    const malformed = trackedBody();
    expect((await call("/tts", { method: "POST", headers: { Authorization: "Basic x" }, body: malformed.body })).status).toBe(401);
    expect(malformed.pulled()).toBe(0);
    const declared = await call("/tts", { method: "POST", headers: { ...bearer(ADMIN_TOKEN), "Content-Type": "application/json", "Content-Length": "52428800" }, body: "{}" });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ code: "payload_too_large", message: "The request body is larger than 64 KiB." });
    const streamed = trackedBody(80, 1024);
    const chunked = await call("/tts", { method: "POST", headers: { ...bearer(ADMIN_TOKEN), "Content-Type": "application/json" }, body: streamed.body });
    expect(chunked.status).toBe(413);
    expect(streamed.pulled()).toBeLessThan(70);
    const padded = JSON.stringify({ text: fresh("Hi"), pad: " ".repeat(60 * 1024) });
    expect((await call("/tts", { method: "POST", headers: { ...bearer(ADMIN_TOKEN), "Content-Type": "application/json" }, body: padded })).status).toBe(200);
  });

  it("answers 503 when the speech worker is unreachable", async () => {
    const response = await tts({ text: fresh("Hello") }, bearer(ADMIN_TOKEN), speechDown);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/cannot be reached/) });
  });
});
