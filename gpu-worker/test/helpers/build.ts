/**
 * Test helpers: build the app (as server.ts does, minus the process concerns) on the tiny
 * generated models, with inject() or a real listening socket; multipart bodies by hand.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import app from "../../src/app.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { TINY_KOKORO, TINY_WHISPER } from "../fixtures/tiny-models.ts";

export const MODELS_DIR = fileURLToPath(new URL("../.generated/models", import.meta.url));
export const API_KEY = "test-key";
export const AUTH = { authorization: `Bearer ${API_KEY}` };

process.env.SPEECH_WORKER_QUIET = "1";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    MODELS_DIR,
    WHISPER_MODEL: TINY_WHISPER,
    KOKORO_MODEL: TINY_KOKORO,
    DEFAULT_VOICE: "af_heart",
    DEVICE: "cpu",
    ORT_THREADS: "1",
    SPEECH_API_KEY: API_KEY,
    LOG_LEVEL: "silent",
    WARMUP: "false",
    ...overrides,
  });
}

export async function build(overrides: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = testConfig(overrides);
  const server = Fastify({ logger: { level: config.LOG_LEVEL }, bodyLimit: 1024 * 1024 });
  await server.register(app, { config });
  await server.ready();
  return server;
}

export function fixture(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`../fixtures/audio/${name}`, import.meta.url)));
}

export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body for inject(). */
export function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----speech-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"\r\nContent-Type: ${p.contentType ?? "application/octet-stream"}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value), Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...AUTH } };
}

export function transcription(file: Buffer | null, fields: Record<string, string | string[]> = {}, filename = "audio.wav") {
  const parts: Part[] = [];
  if (file) parts.push({ name: "file", value: file, filename });
  if (!("model" in fields)) parts.push({ name: "model", value: "whisper-1" });
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push({ name, value: v });
  }
  return multipart(parts);
}
