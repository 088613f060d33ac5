/**
 * Backpressure: with one ASR thread and QUEUE_MAX=0, concurrent transcriptions beyond the one
 * running are refused with 429 + Retry-After; /health stays responsive and reports in-flight
 * work; the pool recovers afterwards. Also: an engine whose model is missing answers 503 and
 * /health says degraded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { AUTH, build, fixture, transcription } from "./helpers/build.ts";

describe("bounded queue", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ QUEUE_MAX: "0", ASR_THREADS: "1", RETRY_AFTER_SECONDS: "3" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("refuses overflow with 429 + Retry-After and recovers", async () => {
    const speech = fixture("speech.wav");
    const send = () => app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech) });
    const results = await Promise.all([send(), send(), send(), send()]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 200).length).toBeGreaterThanOrEqual(1);
    const refused = results.filter((r) => r.statusCode === 429);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.headers["retry-after"]).toBe("3");
    expect(refused[0]!.json().error).toMatchObject({ code: "queue_full", type: "rate_limit_error" });
    const after = await send();
    expect(after.statusCode).toBe(200);
  });
});

describe("missing models", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ WHISPER_MODEL: "not-downloaded", KOKORO_MODEL: "not-downloaded-either", PIPER_DIR: "no-piper-voices" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("starts anyway; health is 503 degraded; audio routes answer 503", async () => {
    const health = await app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toMatchObject({ status: "degraded", models: { asr: { loaded: false }, tts: { loaded: false } } });
    expect(health.json().models.asr.error).toMatch(/not-downloaded/);
    const stt = await app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav"), { model: "not-downloaded" }) });
    expect(stt.statusCode).toBe(503);
    expect(stt.json().error.code).toBe("model_not_loaded");
    const tts = await app.inject({ method: "POST", url: "/v1/audio/speech", headers: AUTH, payload: { model: "tts-1", input: "hi" } });
    expect(tts.statusCode).toBe(503);
  });
});

describe("Kokoro missing, Piper voices present", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ KOKORO_MODEL: "not-downloaded", DEFAULT_VOICE: "en_US-test-medium" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("serves speech with Piper alone", async () => {
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.tts).toMatchObject({ loaded: true, model: "piper", voices: ["en_US-test-medium"] });
    const res = await app.inject({ method: "POST", url: "/v1/audio/speech", headers: AUTH, payload: { model: "tts-1", input: "Hello." } });
    expect(res.statusCode).toBe(200);
  });
});
