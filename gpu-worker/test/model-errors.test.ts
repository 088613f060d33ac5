/**
 * Model files missing where the config points: the error names the folder it looked in, the
 * variables that chose it, and the next step (models:fetch, or MODELS_DIR), in the engine's
 * load error, in /health and in the start-up log line.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kokoro } from "../src/pipelines/tts.ts";
import { Whisper } from "../src/pipelines/asr.ts";
import { build } from "./helpers/build.ts";

const empty = mkdtempSync(join(tmpdir(), "speech-no-models-"));
const common = { modelsDir: empty, device: "cpu" as const, ortThreads: 1, log: () => {} };
const NEXT_STEP = /Run `npm run models:fetch -w @interview\/gpu-worker` to download the weights into MODELS_DIR, or set MODELS_DIR/;

describe("missing model folders", () => {
  it("Kokoro: names the folder, MODELS_DIR and KOKORO_MODEL, and says what to run", async () => {
    const err = await Kokoro.load({ ...common, model: "kokoro-82m" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    expect(msg).toContain(`kokoro model folder not found: ${join(empty, "kokoro-82m")}`);
    expect(msg).toContain(`MODELS_DIR=${empty}, KOKORO_MODEL=kokoro-82m`);
    expect(msg).toMatch(NEXT_STEP);
    expect(msg).not.toContain("\n");
  });

  it("Kokoro: a folder without its vocabulary says so, with the same next step", async () => {
    mkdirSync(join(empty, "kokoro-half"), { recursive: true });
    const msg = ((await Kokoro.load({ ...common, model: "kokoro-half" }).catch((e: Error) => e)) as Error).message;
    expect(msg).toContain(`no vocabulary (tokenizer.json model.vocab or config.json vocab) in ${join(empty, "kokoro-half")}`);
    expect(msg).toMatch(NEXT_STEP);
  });

  it("Whisper: names the folder and WHISPER_MODEL", async () => {
    const msg = ((await Whisper.load({ ...common, model: "whisper-base", dtype: "fp32", features: "onnx" }).catch((e: Error) => e)) as Error).message;
    expect(msg).toContain(`whisper model folder not found: ${join(empty, "whisper-base")}`);
    expect(msg).toContain("WHISPER_MODEL=whisper-base");
    expect(msg).toMatch(NEXT_STEP);
  });

  it("/health shows the message for each engine", async () => {
    const app = await build({ MODELS_DIR: empty, WHISPER_MODEL: "whisper-base", KOKORO_MODEL: "kokoro-82m", PIPER_DIR: "" });
    try {
      const health = await app.inject({ method: "GET", url: "/health" });
      expect(health.statusCode).toBe(503);
      const models = health.json().models;
      expect(models.asr.error).toMatch(NEXT_STEP);
      expect(models.asr.error).toContain(join(empty, "whisper-base"));
      expect(models.tts.error).toMatch(NEXT_STEP);
      expect(models.tts.error).toContain(join(empty, "kokoro-82m"));
    } finally {
      await app.close();
    }
  });
});
