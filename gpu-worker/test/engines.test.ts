/**
 * Engine choices: DEVICE=cuda tries CUDA and falls back to CPU when it cannot load (no GPU
 * here), reported in /health (DEVICE=auto skips the attempt here: test/cuda.test.ts); the JS log-mel extractor (WHISPER_FEATURES=js) gives the same
 * transcription as the ONNX one; importing phonemizer leaves no process-wide handlers behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { build, fixture, transcription } from "./helpers/build.ts";
import { loadPhonemizer, textToPhonemes } from "../src/pipelines/tts.ts";

describe("DEVICE=cuda with the JS feature extractor", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ DEVICE: "cuda", WHISPER_FEATURES: "js" });
  });
  afterAll(async () => {
    await app.close();
  });

  it("falls back to CPU and says so", async () => {
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.asr.provider).toBe("cpu");
    expect(health.models.tts.provider).toBe("cpu");
    expect(health.status).toBe("ok");
  });

  it("transcribes the same as the ONNX front end", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav"), { response_format: "verbose_json" }) });
    expect(res.statusCode).toBe(200);
    expect(res.json().text).toBe("hello world");
  });
});

describe("phonemizer", () => {
  it("removes the uncaughtException/unhandledRejection handlers it installs", async () => {
    const before = [process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")];
    await loadPhonemizer();
    expect([process.listenerCount("uncaughtException"), process.listenerCount("unhandledRejection")]).toEqual(before);
  });

  it("keeps punctuation and normalised numbers in the IPA", async () => {
    const ipa = await textToPhonemes("Hello, world! It costs 42 dollars.", "en-us");
    expect(ipa).toBe("həlˈoʊ, wˈɜːld! ɪt kˈɔsts fˈoːɹɾi tˈuː dˈɑːlɚz.");
  });
});
