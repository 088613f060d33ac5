/**
 * Backpressure: with one ASR thread and QUEUE_MAX=0, concurrent transcriptions beyond the one
 * running are refused with 429 + Retry-After; /health stays responsive and reports in-flight
 * work; the pool recovers afterwards. Also: an engine whose model is missing answers 503 and
 * /health says degraded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import { AUTH, build, fixture, transcription } from "./helpers/build.ts";
import { encodeWav, parseWav } from "../src/pipelines/wav.ts";

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
    expect(codes).toEqual([200, 429, 429, 429]);
    const refused = results.filter((r) => r.statusCode === 429);
    expect(refused[0]!.headers["retry-after"]).toBe("3");
    expect(refused[0]!.json().error).toMatchObject({ code: "queue_full", type: "rate_limit_error" });
    const after = await send();
    expect(after.statusCode).toBe(200);
  });
});

describe.each([
  ["0", 1],
  ["2", 3],
  ["5", 6],
])("QUEUE_MAX=%s with one ASR thread", (queueMax, admitted) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ QUEUE_MAX: queueMax, ASR_THREADS: "1", KOKORO_MODEL: "", PIPER_DIR: "" });
  });
  afterAll(async () => {
    await app.close();
  });

  it(`admits exactly ${admitted} of 8 concurrent requests (one running + QUEUE_MAX waiting), refuses the rest`, async () => {
    const speech = fixture("speech.wav");
    const send = () => app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech) });
    const results = await Promise.all(Array.from({ length: 8 }, send));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(admitted);
    expect(codes.filter((c) => c === 429)).toHaveLength(8 - admitted);
    for (const r of results) if (r.statusCode === 200) expect(r.json().text).toBe("hello world");
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.asr).toMatchObject({ queue_depth: 0, in_flight: 0 });
  });
});

describe("a client that disconnects while queued", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ QUEUE_MAX: "4", ASR_THREADS: "1" });
    await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  const depth = async () => (await app.inject({ method: "GET", url: "/health" })).json().models.asr.queue_depth as number;
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; i < 400; i++) {
      if (await ok()) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it("has its task removed from the queue; it never runs", async () => {
    const speech = parseWav(fixture("speech.wav")).samples;
    const long = new Float32Array(16_000 * 60); // two 30 s windows: long enough to keep the thread busy
    for (let at = 0; at + speech.length < long.length; at += 16_000 * 10) long.set(speech, at);
    const body = transcription(encodeWav(long, 16_000));
    let firstDone = false;
    const first = app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...body }).then((r) => { firstDone = true; return r; });
    const second = app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...body });
    await until("the second request to queue", async () => (await depth()) === 1);

    const port = (app.server.address() as { port: number }).port;
    const leaving = httpRequest({ host: "127.0.0.1", port, path: "/v1/audio/transcriptions", method: "POST", headers: body.headers });
    leaving.on("error", () => {});
    leaving.end(body.payload);
    await until("the third request to queue", async () => (await depth()) === 2);
    leaving.destroy();
    await until("the queue to shrink", async () => (await depth()) === 1);
    expect(firstDone, "the queue shrank because the task was dropped, not because one finished").toBe(false);

    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
    expect(await depth()).toBe(0);
    const metrics = (await app.inject({ method: "GET", url: "/metrics", headers: AUTH })).body;
    expect(metrics).toMatch(/^speech_inference_seconds_count\{engine="asr"\} 2$/m);
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
