/**
 * The real speech worker (this package's app, as server.ts builds it) in the calling process,
 * on the tiny generated models written to a temporary folder of its own (so concurrent runs
 * never share or delete each other's models), on a free loopback port. For the Worker's and
 * the browser's tests, which need a real speech worker to talk to.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import speechWorkerApp from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { requestIdOptions } from "../../src/request-id.ts";
import { TINY_KOKORO, TINY_WHISPER, writeTinyModels } from "../fixtures/tiny-models.ts";

export interface TinySpeechWorkerOptions {
  apiKey: string;
  /** More of the speech worker's variables (e.g. MAX_UPLOAD_BYTES). */
  env?: Record<string, string>;
  /** Where its JSON log lines go; none: it logs nothing. */
  logStream?: { write(line: string): void };
  /** Called before it listens: test-only routes. */
  prepare?(server: FastifyInstance): void;
}

export interface TinySpeechWorker {
  url: string;
  server: FastifyInstance;
  /** Closes the server and removes its models. */
  stop(): Promise<void>;
}

/**
 * The speech worker's variables for the tiny models in `modelsDir` (written by
 * `writeTinyModels`), on the CPU, one thread, no warm-up: for this helper and for tests that run
 * it as a child process (to kill and restart it).
 */
export function tinySpeechWorkerEnv(modelsDir: string, apiKey: string): Record<string, string> {
  return {
    MODELS_DIR: modelsDir,
    WHISPER_MODEL: TINY_WHISPER,
    KOKORO_MODEL: TINY_KOKORO,
    DEFAULT_VOICE: "af_heart",
    DEVICE: "cpu",
    ORT_THREADS: "1",
    SPEECH_API_KEY: apiKey,
    WARMUP: "false",
    SPEECH_WORKER_QUIET: "1",
  };
}

export async function startTinySpeechWorker(options: TinySpeechWorkerOptions): Promise<TinySpeechWorker> {
  const modelsDir = mkdtempSync(join(tmpdir(), "tiny-speech-models-"));
  writeTinyModels(modelsDir);
  process.env.SPEECH_WORKER_QUIET = "1";
  const config = loadConfig({
    ...tinySpeechWorkerEnv(modelsDir, options.apiKey),
    LOG_LEVEL: options.logStream ? "info" : "warn",
    ...options.env,
  });
  const server = Fastify({
    logger: options.logStream ? { level: config.LOG_LEVEL, stream: options.logStream } : false,
    bodyLimit: 1024 * 1024,
    ...requestIdOptions,
  });
  await server.register(speechWorkerApp, { config });
  options.prepare?.(server);
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    server,
    async stop() {
      await server.close();
      rmSync(modelsDir, { recursive: true, force: true });
    },
  };
}
