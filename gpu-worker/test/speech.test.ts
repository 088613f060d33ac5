/**
 * Text-to-speech end to end through inject() on the tiny Kokoro: WAV and PCM bodies, the
 * waveform length scaling with tokens / speed (the orchestrator's 1.06 / 1.0 / 0.94), OpenAI
 * voice names, and sentence-by-sentence streaming.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { AUTH, build } from "./helpers/build.ts";
import { parseWav } from "../src/pipelines/wav.ts";

let app: FastifyInstance;

beforeAll(async () => {
  app = await build();
});
afterAll(async () => {
  await app.close();
});

const speak = (payload: Record<string, unknown>) => app.inject({ method: "POST", url: "/v1/audio/speech", headers: AUTH, payload });

describe("speech", () => {
  it("returns a 24 kHz mono WAV", async () => {
    const res = await speak({ model: "tts-1", input: "Hello world.", voice: "af_heart" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("audio/wav");
    const wav = parseWav(res.rawPayload);
    expect(wav.sampleRate).toBe(24_000);
    expect(wav.samples.length).toBeGreaterThan(1000);
  });

  it("length scales with speed (styles 1.06 / 1.0 / 0.94)", async () => {
    const lengths: number[] = [];
    for (const speed of [1.06, 1.0, 0.94]) {
      const res = await speak({ model: "kokoro", input: "This is a sentence.", voice: "af_heart", speed, response_format: "pcm" });
      expect(res.statusCode).toBe(200);
      lengths.push(res.rawPayload.length / 2);
    }
    expect(lengths[0]!).toBeLessThan(lengths[1]!);
    expect(lengths[1]!).toBeLessThan(lengths[2]!);
    expect(lengths[1]! / lengths[0]!).toBeCloseTo(1.06, 1);
  });

  it("longer text gives longer audio; pcm is raw 16-bit", async () => {
    const short = await speak({ model: "tts-1", input: "Hi.", response_format: "pcm" });
    const long = await speak({ model: "tts-1", input: "Hi. This answer is considerably longer, with a clause.", response_format: "pcm" });
    expect(short.headers["content-type"]).toContain("audio/pcm");
    expect(long.rawPayload.length).toBeGreaterThan(short.rawPayload.length * 3);
    expect(long.rawPayload.length % 2).toBe(0);
  });

  it("maps OpenAI voice names to Kokoro voices", async () => {
    expect((await speak({ model: "tts-1", input: "Hello.", voice: "echo" })).statusCode).toBe(200);
    expect((await speak({ model: "tts-1", input: "Hello.", voice: "fable" })).statusCode).toBe(200); // bm_fable is not installed: DEFAULT_VOICE
  });

  it("streams one chunk per sentence with a WAV header of unknown length", async () => {
    const input = "First sentence. Second one! Third?";
    const whole = await speak({ model: "tts-1", input, response_format: "pcm" });
    const res = await speak({ model: "tts-1", input, stream: true });
    expect(res.statusCode).toBe(200);
    expect(res.headers["transfer-encoding"]).toBe("chunked");
    const body = res.rawPayload;
    expect(body.subarray(0, 4).toString("ascii")).toBe("RIFF");
    expect(body.readUInt32LE(40)).toBe(0xffffffff);
    const wav = parseWav(body);
    expect(wav.samples.length).toBeGreaterThan(0);
    // Sentence-wise synthesis speaks the same tokens minus the joining spaces.
    expect(Math.abs(wav.samples.length - whole.rawPayload.length / 2)).toBeLessThan(2 * 600 + 1);
  });
});

describe("piper voices (second engine)", () => {
  it("are listed beside Kokoro's and picked by voice name", async () => {
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.tts.voices).toEqual(expect.arrayContaining(["af_heart", "en_US-test-medium"]));
    const res = await speak({ model: "piper", input: "Hello there. Second sentence.", voice: "en_US-test-medium" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["x-sample-rate"]).toBe("22050");
    const wav = parseWav(res.rawPayload);
    expect(wav.sampleRate).toBe(22_050);
    expect(wav.samples.length).toBeGreaterThan(22_050 * 0.2); // two sentences with 0.2 s between
  });

  it("honour speed through length_scale", async () => {
    const body = { model: "tts-1", input: "A sentence to time.", voice: "en_US-test-medium", response_format: "pcm" };
    const slow = await speak({ ...body, speed: 0.5 });
    const fast = await speak({ ...body, speed: 2 });
    expect(slow.headers["content-type"]).toContain("rate=22050");
    expect(slow.rawPayload.length / fast.rawPayload.length).toBeCloseTo(4, 1);
  });

  it("stream with the voice's own sample rate in the header", async () => {
    const res = await speak({ model: "tts-1", input: "One. Two.", voice: "en_US-test-medium", stream: true });
    expect(res.rawPayload.readUInt32LE(24)).toBe(22_050);
  });
});

describe("DEFAULT_VOICE not installed", () => {
  let other: FastifyInstance;
  beforeAll(async () => {
    other = await build({ DEFAULT_VOICE: "zz_not_installed", PIPER_DIR: "", WHISPER_MODEL: "" });
  });
  afterAll(async () => {
    await other.close();
  });

  it("falls back to the first installed voice at start, for requests without a voice and for unmapped OpenAI names", async () => {
    const health = (await other.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.tts.default_voice).toBe(health.models.tts.voices[0]);
    const say = (payload: Record<string, unknown>) => other.inject({ method: "POST", url: "/v1/audio/speech", headers: AUTH, payload });
    expect((await say({ model: "tts-1", input: "Hello." })).statusCode).toBe(200);
    expect((await say({ model: "tts-1", input: "Hello.", voice: "fable" })).statusCode).toBe(200); // bm_fable not installed
    expect((await say({ model: "tts-1", input: "Hello.", voice: "nobody" })).statusCode).toBe(400);
  });
});
