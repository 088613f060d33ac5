/**
 * Compatibility with the official `openai` npm SDK against a real listening server on
 * loopback: transcriptions (json, verbose_json with words, text), speech (wav), model list,
 * and the SDK's typed errors for a bad key and a bad request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import OpenAI, { toFile } from "openai";
import { API_KEY, build, fixture } from "./helpers/build.ts";
import { parseWav } from "../src/pipelines/wav.ts";

let app: FastifyInstance;
let client: OpenAI;
let baseURL: string;

beforeAll(async () => {
  app = await build();
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  baseURL = `http://127.0.0.1:${address.port}/v1`;
  client = new OpenAI({ apiKey: API_KEY, baseURL, maxRetries: 0, timeout: 20_000 });
});
afterAll(async () => {
  await app.close();
});

describe("openai SDK", () => {
  it("transcribes (json)", async () => {
    const r = await client.audio.transcriptions.create({ file: await toFile(fixture("speech.wav"), "speech.wav"), model: "whisper-1", language: "en" });
    expect(r.text).toBe("hello world");
    expect((r as unknown as { speech_seconds: number }).speech_seconds).toBeGreaterThan(1);
  });

  it("transcribes (verbose_json with word timestamps)", async () => {
    const r = await client.audio.transcriptions.create({
      file: await toFile(fixture("speech.wav"), "speech.wav"),
      model: "whisper-1",
      response_format: "verbose_json",
      timestamp_granularities: ["word", "segment"],
    });
    expect(r.language).toBe("english");
    expect(r.words?.map((w) => w.word)).toEqual(["hello", "world"]);
    expect(r.segments?.[0]?.text).toContain("hello world");
    expect(r.duration).toBeGreaterThan(2);
  });

  it("transcribes (text)", async () => {
    const r = await client.audio.transcriptions.create({ file: await toFile(fixture("speech.wav"), "speech.wav"), model: "whisper-1", response_format: "text" });
    expect(String(r).trim()).toBe("hello world");
  });

  it("speaks (wav)", async () => {
    const res = await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "Hello there. How are you?", response_format: "wav", speed: 1.06 });
    const wav = parseWav(new Uint8Array(await res.arrayBuffer()));
    expect(wav.sampleRate).toBe(24_000);
    expect(wav.samples.length).toBeGreaterThan(5_000);
  });

  it("lists models", async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toContain("whisper-1");
  });

  it("surfaces errors as the SDK's typed errors", async () => {
    const bad = new OpenAI({ apiKey: "wrong", baseURL, maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const err = await client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("input");
  });
});
