/**
 * Vitest global setup (Node) for the workerd-speech project: the REAL speech worker
 * (`gpu-worker/src/app.ts`, as its own tests build it) on 127.0.0.1 with a random port, on the
 * tiny generated models of `gpu-worker/test/fixtures/tiny-models.ts` (written to a temporary
 * folder of our own, so gpu-worker's test run is never disturbed). Its URL reaches the Worker
 * as SPEECH_WORKER_URL; a second URL points at a port nothing listens on.
 *
 * The speech worker's upload limit is lowered to 1 MiB so its own 413 can be seen passing
 * through the Worker (whose limit, 10 MiB, is checked before forwarding).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import type { TestProject } from "vitest/node";
import speechWorkerApp from "../../../gpu-worker/src/app.ts";
import { loadConfig } from "../../../gpu-worker/src/config.ts";
import { requestIdOptions } from "../../../gpu-worker/src/request-id.ts";
import { TINY_KOKORO, TINY_WHISPER, writeTinyModels } from "../../../gpu-worker/test/fixtures/tiny-models.ts";
import { freeLoopbackPort } from "../helpers/free-port.ts";

export const SPEECH_TEST_KEY = "speech-test-key";
export const SPEECH_TEST_MAX_UPLOAD_BYTES = 1024 * 1024;

declare module "vitest" {
  export interface ProvidedContext {
    speechWorkerUrl: string;
    closedSpeechUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const modelsDir = mkdtempSync(join(tmpdir(), "worker-speech-models-"));
  writeTinyModels(modelsDir);
  process.env.SPEECH_WORKER_QUIET = "1";
  const config = loadConfig({
    MODELS_DIR: modelsDir,
    WHISPER_MODEL: TINY_WHISPER,
    KOKORO_MODEL: TINY_KOKORO,
    DEFAULT_VOICE: "af_heart",
    DEVICE: "cpu",
    ORT_THREADS: "1",
    SPEECH_API_KEY: SPEECH_TEST_KEY,
    // Its log lines are kept (below) for the request-id trace test, not printed.
    LOG_LEVEL: "info",
    WARMUP: "false",
    MAX_UPLOAD_BYTES: String(SPEECH_TEST_MAX_UPLOAD_BYTES),
  });
  // As server.ts builds it: request ids from x-request-id, JSON log lines (kept in memory).
  const logLines: string[] = [];
  const stream = { write: (line: string) => void logLines.push(line) };
  const server = Fastify({ logger: { level: config.LOG_LEVEL, stream }, bodyLimit: 1024 * 1024, ...requestIdOptions });
  await server.register(speechWorkerApp, { config });
  // Test only: its log so far, so a test in workerd (which cannot read files) can follow an id.
  server.get("/test-logs", async () => logLines.join(""));
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  project.provide("speechWorkerUrl", url);
  project.provide("closedSpeechUrl", `http://127.0.0.1:${await freeLoopbackPort()}`);
  return async () => {
    await server.close();
    rmSync(modelsDir, { recursive: true, force: true });
  };
}
