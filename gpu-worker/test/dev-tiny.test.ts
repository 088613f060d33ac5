/**
 * `npm run dev:tiny`: the generator writes a models folder the server loads (health 200, a
 * transcription and a speech answer), and the script itself says what it proves, starts the
 * server on that folder, and stops on SIGTERM.
 */
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import app from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { writeDevTinyModels } from "../scripts/dev-tiny.ts";
import { AUTH, API_KEY, fixture, transcription } from "./helpers/build.ts";

describe("dev:tiny", () => {
  it("writes a models folder the server loads and answers from", async () => {
    const env = writeDevTinyModels(join(mkdtempSync(join(tmpdir(), "speech-dev-tiny-")), "models"));
    const config = loadConfig({ ...env, DEVICE: "cpu", ORT_THREADS: "1", SPEECH_API_KEY: API_KEY, LOG_LEVEL: "silent", WARMUP: "false" });
    const server = Fastify({ logger: false });
    await server.register(app, { config });
    try {
      const health = await server.inject({ method: "GET", url: "/health" });
      expect(health.statusCode, health.body).toBe(200);
      const stt = await server.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav")) });
      expect(stt.statusCode, stt.body).toBe(200);
      expect(stt.json().text).toBe("hello world");
      const tts = await server.inject({ method: "POST", url: "/v1/audio/speech", headers: AUTH, payload: { model: "tts-1", input: "Hello there.", voice: "alloy" } });
      expect(tts.statusCode, tts.body).toBe(200);
      expect(tts.rawPayload.subarray(0, 4).toString()).toBe("RIFF");
    } finally {
      await server.close();
    }
  });

  it("the script says what it proves, serves /health 200 on the tiny models, and stops on SIGTERM", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "speech-dev-tiny-")), "models");
    const script = fileURLToPath(new URL("../scripts/dev-tiny.ts", import.meta.url));
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, TINY_MODELS_DIR: dir, HOST: "127.0.0.1", PORT: "0", DEVICE: "cpu", ORT_THREADS: "1", WARMUP: "false", SPEECH_WORKER_QUIET: "1", SPEECH_API_KEY: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => { output += c.toString(); });
    child.stderr.on("data", (c: Buffer) => { output += c.toString(); });
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    let url = "";
    for (let i = 0; i < 300 && !url; i++) {
      url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "";
      if (!url) await new Promise((r) => setTimeout(r, 100));
    }
    try {
      expect(url, output).not.toBe("");
      expect(output).toContain(`tiny generated models in ${dir}`);
      expect(output).toMatch(/What this proves: the whole path runs/);
      expect(output).toMatch(/outputs are not meaningful/);
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const body = (await health.json()) as { models: { asr: { model: string }; tts: { model: string } } };
      expect(body.models.asr.model).toBe("whisper-tiny-test");
      expect(body.models.tts.model).toBe("kokoro-tiny-test");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
