/**
 * HTTP surface through inject(): health, auth, model list, metrics, the OpenAI error shape, and
 * every limit and bad input of both audio routes with its status. Audio content checks live in
 * transcriptions.test.ts and speech.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { AUTH, build, multipart, transcription } from "./helpers/build.ts";
import { encodeWav } from "../src/pipelines/wav.ts";

let app: FastifyInstance;
const tone = encodeWav(Float32Array.from({ length: 16_000 }, (_v, i) => Math.sin(i * 0.1) * 0.5), 16_000);

beforeAll(async () => {
  app = await build({ MAX_UPLOAD_BYTES: "200000", MAX_AUDIO_SECONDS: "5", MAX_TTS_CHARS: "200" });
});
afterAll(async () => {
  await app.close();
});

function expectOpenAIError(body: string, code: string) {
  const parsed = JSON.parse(body) as { error: { message: string; type: string; param: string | null; code: string } };
  expect(parsed.error.code).toBe(code);
  expect(typeof parsed.error.message).toBe("string");
  expect(parsed.error.message.length).toBeGreaterThan(5);
  expect(["invalid_request_error", "authentication_error", "rate_limit_error", "server_error"]).toContain(parsed.error.type);
  expect(parsed.error).toHaveProperty("param");
  return parsed.error;
}

describe("health, models, metrics, auth", () => {
  it("GET /health needs no token and reports models, provider and queue depth", async () => {
    const res = await app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe("ok");
    expect(body.queue_depth).toBe(0);
    expect(body.models.asr).toMatchObject({ enabled: true, loaded: true, provider: "cpu", model: "whisper-tiny-test", vad: true, queue_depth: 0 });
    expect(body.models.asr.languages).toContain("en");
    expect(body.models.tts).toMatchObject({ loaded: true, provider: "cpu", sample_rate: 24_000 });
    expect(body.models.tts.voices).toContain("af_heart");
  });

  it("refuses a missing, malformed or wrong bearer token with 401", async () => {
    for (const headers of [{}, { authorization: "Basic abc" }, { authorization: "Bearer wrong" }]) {
      const res = await app.inject({ method: "GET", url: "/v1/models", headers });
      expect(res.statusCode).toBe(401);
      expectOpenAIError(res.body, "invalid_api_key");
    }
    const metrics = await app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.statusCode).toBe(401);
  });

  it("lists models in the OpenAI shape", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/models", headers: AUTH });
    expect(res.statusCode).toBe(200);
    const ids = (res.json().data as Array<{ id: string; object: string }>).map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(["whisper-1", "tts-1", "whisper-tiny-test", "kokoro-tiny-test"]));
    expect((await app.inject({ method: "GET", url: "/v1/models/whisper-1", headers: AUTH })).statusCode).toBe(200);
    const missing = await app.inject({ method: "GET", url: "/v1/models/nope", headers: AUTH });
    expect(missing.statusCode).toBe(404);
    expectOpenAIError(missing.body, "model_not_found");
  });

  it("serves Prometheus metrics", async () => {
    await app.inject({ method: "GET", url: "/health" });
    const res = await app.inject({ method: "GET", url: "/metrics", headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(res.body).toContain("speech_http_requests_total");
    expect(res.body).toContain('speech_queue_depth{engine="asr"} 0');
  });

  it("answers unknown routes with a 404 in the OpenAI shape", async () => {
    const res = await app.inject({ method: "GET", url: "/v1/nothing", headers: AUTH });
    expect(res.statusCode).toBe(404);
    expectOpenAIError(res.body, "not_found");
  });
});

describe("POST /v1/audio/transcriptions refuses bad input", () => {
  const post = (body: { payload: Buffer; headers: Record<string, string> }) =>
    app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...body });

  it("no file: 400 missing_file", async () => {
    const res = await post(transcription(null));
    expect(res.statusCode).toBe(400);
    expect(expectOpenAIError(res.body, "missing_file").param).toBe("file");
  });
  it("empty file: 400 empty_file", async () => {
    const res = await post(transcription(Buffer.alloc(0)));
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "empty_file");
  });
  it("not audio: 400 invalid_audio", async () => {
    const res = await post(transcription(Buffer.from("this is a text file, not audio ".repeat(20)), {}, "notes.txt"));
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "invalid_audio");
  });
  it("a WAV header with no samples: 400 invalid_audio", async () => {
    const res = await post(transcription(encodeWav(new Float32Array(0), 16_000)));
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "invalid_audio");
  });
  it("upload over MAX_UPLOAD_BYTES: 413", async () => {
    const res = await post(transcription(Buffer.alloc(300_000, 1)));
    expect(res.statusCode).toBe(413);
    expectOpenAIError(res.body, "file_too_large");
  });
  it("too many files, fields or parts: 413 too_many_parts, not file_too_large", async () => {
    const twoFiles = await post(multipart([{ name: "file", value: tone, filename: "a.wav" }, { name: "file", value: tone, filename: "b.wav" }, { name: "model", value: "whisper-1" }]));
    expect(twoFiles.statusCode).toBe(413);
    const files = expectOpenAIError(twoFiles.body, "too_many_parts");
    expect(files).toMatchObject({ param: "file", type: "invalid_request_error" });
    expect(files.message).toMatch(/exactly one file/);
    const fields = await post(multipart([{ name: "file", value: tone, filename: "a.wav" }, ...Array.from({ length: 25 }, (_v, i) => ({ name: `x${i}`, value: "1" }))]));
    expect(fields.statusCode).toBe(413);
    expect(expectOpenAIError(fields.body, "too_many_parts").message).toMatch(/too many fields \(at most 20\)/);
  });
  it("audio over MAX_AUDIO_SECONDS: 400 audio_too_long", async () => {
    const res = await post(transcription(encodeWav(new Float32Array(8_000 * 6), 8_000)));
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "audio_too_long");
  });
  it("missing model: 400; unknown model: 404", async () => {
    const missing = await post(multipart([{ name: "file", value: tone, filename: "a.wav" }]));
    expect(missing.statusCode).toBe(400);
    expect(expectOpenAIError(missing.body, "invalid_request").param).toBe("model");
    const unknown = await post(transcription(tone, { model: "gpt-9" }));
    expect(unknown.statusCode).toBe(404);
    expectOpenAIError(unknown.body, "model_not_found");
  });
  it("wrong field types and values: 400 naming the field", async () => {
    const cases: Array<[Record<string, string | string[]>, string]> = [
      [{ temperature: "hot" }, "temperature"],
      [{ temperature: "3" }, "temperature"],
      [{ response_format: "mp3" }, "response_format"],
      [{ language: "english!" }, "language"],
      [{ "timestamp_granularities[]": "sentence", response_format: "verbose_json" }, "timestamp_granularities.0"],
      [{ "timestamp_granularities[]": "word" }, "timestamp_granularities"],
    ];
    for (const [fields, param] of cases) {
      const res = await post(transcription(tone, fields));
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(expectOpenAIError(res.body, "invalid_request").param).toBe(param);
    }
  });
  it("a language the model lacks: 400 unsupported_language", async () => {
    const res = await post(transcription(tone, { language: "ja" }));
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "unsupported_language");
  });
  it("JSON instead of multipart: 415", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/audio/transcriptions", headers: AUTH, payload: { file: "x" } });
    expect(res.statusCode).toBe(415);
    expectOpenAIError(res.body, "unsupported_media_type");
  });
});

describe("POST /v1/audio/speech refuses bad input", () => {
  const post = (payload: unknown, headers: Record<string, string> = AUTH) =>
    app.inject({ method: "POST", url: "/v1/audio/speech", headers, payload: payload as object });

  it("text over MAX_TTS_CHARS: 400 input_too_long", async () => {
    const res = await post({ model: "tts-1", input: "word ".repeat(100), voice: "af_heart" });
    expect(res.statusCode).toBe(400);
    expectOpenAIError(res.body, "input_too_long");
  });
  it("empty input, wrong types, bad speed, unknown format: 400 naming the field", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ model: "tts-1", input: "   " }, "input"],
      [{ model: "tts-1", input: 42 }, "input"],
      [{ model: "tts-1" }, "input"],
      [{ model: "tts-1", input: "hi", speed: "fast" }, "speed"],
      [{ model: "tts-1", input: "hi", speed: 9 }, "speed"],
      [{ model: "tts-1", input: "hi", response_format: "mp3" }, "response_format"],
      [{ model: "tts-1", input: "hi", stream: "yes" }, "stream"],
      [{ input: "hi" }, "model"],
    ];
    for (const [body, param] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(expectOpenAIError(res.body, "invalid_request").param).toBe(param);
    }
  });
  it("unknown voice: 400; unknown model: 404", async () => {
    const voice = await post({ model: "tts-1", input: "hi", voice: "nobody" });
    expect(voice.statusCode).toBe(400);
    expectOpenAIError(voice.body, "unknown_voice");
    const model = await post({ model: "nope", input: "hi" });
    expect(model.statusCode).toBe(404);
  });
  it("malformed JSON and non-object bodies: 400", async () => {
    const bad = await app.inject({ method: "POST", url: "/v1/audio/speech", headers: { ...AUTH, "content-type": "application/json" }, payload: "{not json" });
    expect(bad.statusCode).toBe(400);
    expectOpenAIError(bad.body, "invalid_json");
    const arr = await app.inject({ method: "POST", url: "/v1/audio/speech", headers: { ...AUTH, "content-type": "application/json" }, payload: "[1,2]" });
    expect(arr.statusCode).toBe(400);
  });
  it("a JSON body over the body limit: 413", async () => {
    const res = await post({ model: "tts-1", input: "a".repeat(2 * 1024 * 1024) });
    expect(res.statusCode).toBe(413);
  });
});
