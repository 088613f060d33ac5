/**
 * POST /v1/audio/speech/with-timestamps end to end on the tiny models: the audio with each
 * written word's character offsets and times, estimated (tiny Kokoro: no durations output) or
 * from the model's own durations (a tiny Piper voice whose export outputs `w_ceil`).
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTH, build } from "./helpers/build.ts";
import { TINY_PIPER_DURATIONS_DIR, TINY_PIPER_DURATIONS_VOICE, TINY_PIPER_VOICE } from "./fixtures/tiny-models.ts";

let app: FastifyInstance;
let piper: FastifyInstance;
beforeAll(async () => {
  [app, piper] = await Promise.all([build(), build({ KOKORO_MODEL: "", PIPER_DIR: TINY_PIPER_DURATIONS_DIR, DEFAULT_VOICE: TINY_PIPER_DURATIONS_VOICE })]);
});
afterAll(async () => {
  await Promise.all([app.close(), piper.close()]);
});

interface Timed { format: string; sample_rate: number; duration_ms: number; timing: string; words: Array<{ word: string; start: number; end: number; from: number; to: number }>; audio: string }

const post = (server: FastifyInstance, body: object) =>
  server.inject({ method: "POST", url: "/v1/audio/speech/with-timestamps", headers: { ...AUTH, "content-type": "application/json" }, payload: body });

function checkSpans(input: string, r: Timed) {
  for (const w of r.words) expect(input.slice(w.from, w.to)).toBe(w.word);
  for (let i = 0; i < r.words.length; i++) {
    const w = r.words[i]!;
    expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(w.end).toBeLessThanOrEqual(r.duration_ms / 1000 + 0.001);
    if (i > 0) expect(w.start).toBeGreaterThanOrEqual(r.words[i - 1]!.end - 0.001);
  }
}

describe("speech with word timestamps", () => {
  it("Kokoro (no durations output): estimated times, one span for $100, pcm audio of the stated duration", async () => {
    const input = "It costs $100. Is that fair?";
    const res = await post(app, { model: "tts-1", input, voice: "af_heart" });
    expect(res.statusCode).toBe(200);
    const r = res.json() as Timed;
    expect(r).toMatchObject({ format: "pcm", sample_rate: 24_000, timing: "estimated" });
    expect(r.words.map((w) => w.word)).toEqual(["It", "costs", "$100", "Is", "that", "fair"]);
    checkSpans(input, r);
    const pcm = Buffer.from(r.audio, "base64");
    expect(Math.round((pcm.length / 2 / 24_000) * 1000)).toBe(r.duration_ms);
    // "$100" is spoken as "one hundred dollars": it lasts longer than "It".
    const span = (w: string) => r.words.find((x) => x.word === w)!;
    expect(span("$100").end - span("$100").start).toBeGreaterThan(3 * (span("It").end - span("It").start));
  });

  it("Piper with the model's durations (w_ceil): timing model, the spans follow the durations", async () => {
    const input = "Tell me about a project, from start to finish.";
    const res = await post(piper, { model: "piper", input, response_format: "wav" });
    expect(res.statusCode).toBe(200);
    const r = res.json() as Timed;
    expect(r).toMatchObject({ format: "wav", sample_rate: 22_050, timing: "model" });
    expect(r.words.map((w) => w.word)).toEqual(["Tell", "me", "about", "a", "project", "from", "start", "to", "finish"]);
    checkSpans(input, r);
    expect(Buffer.from(r.audio, "base64").subarray(0, 4).toString()).toBe("RIFF");
  });

  it("the voice without durations in the same app gives estimated times", async () => {
    const both = await build({ KOKORO_MODEL: "", PIPER_DIR: "piper", DEFAULT_VOICE: TINY_PIPER_VOICE });
    try {
      const r = (await post(both, { model: "piper", input: "Hello there." })).json() as Timed;
      expect(r.timing).toBe("estimated");
      expect(r.words.map((w) => w.word)).toEqual(["Hello", "there"]);
    } finally {
      await both.close();
    }
  });

  it("refuses bad input like the speech route", async () => {
    const cases: Array<[object, number, string]> = [
      [{ model: "tts-1", input: "   " }, 400, "invalid_request"],
      [{ model: "tts-1" }, 400, "invalid_request"],
      [{ model: "nope", input: "Hi." }, 404, "model_not_found"],
      [{ model: "tts-1", input: "Hi.", voice: "nobody" }, 400, "unknown_voice"],
      [{ model: "tts-1", input: "Hi.", speed: 9 }, 400, "invalid_request"],
      [{ model: "tts-1", input: "x".repeat(4097) }, 400, "input_too_long"],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(app, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    const noAuth = await app.inject({ method: "POST", url: "/v1/audio/speech/with-timestamps", headers: { "content-type": "application/json" }, payload: { model: "tts-1", input: "Hi." } });
    expect(noAuth.statusCode).toBe(401);
  });
});
