/**
 * One request id through the speech worker's logs, as a process (src/server.ts, JSON logs on
 * stdout): the caller's x-request-id is echoed, logged by Fastify as `requestId` on the HTTP
 * thread's lines, and by the inference thread on its line for the task. A malformed id is
 * replaced, not logged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { MODELS_DIR, fixture, transcription } from "./helpers/build.ts";
import { TINY_KOKORO, TINY_WHISPER } from "./fixtures/tiny-models.ts";

const SERVER = fileURLToPath(new URL("../src/server.ts", import.meta.url));
let child: ChildProcess;
let output = "";
let url = "";

function lines(): Record<string, unknown>[] {
  return output
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(check(), `${what}\n${output.slice(-3000)}`).toBe(true);
}

beforeAll(async () => {
  const env = {
    ...process.env, HOST: "127.0.0.1", PORT: "0", MODELS_DIR, WHISPER_MODEL: TINY_WHISPER, KOKORO_MODEL: TINY_KOKORO, DEFAULT_VOICE: "af_heart",
    DEVICE: "cpu", ORT_THREADS: "1", WARMUP: "false", SPEECH_API_KEY: "k", LOG_LEVEL: "info", SPEECH_WORKER_QUIET: "0",
  };
  child = spawn(process.execPath, [SERVER], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (c: Buffer) => { output += c.toString(); });
  child.stderr!.on("data", (c: Buffer) => { output += c.toString(); });
  await until(() => (url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? "") !== "", "the server listens");
});

afterAll(async () => {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
});

describe("x-request-id", () => {
  it("a synthesis: echoed, on the HTTP thread's lines and the TTS thread's line", async () => {
    const id = "trace-tts-0001";
    const response = await fetch(`${url}/v1/audio/speech`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json", "x-request-id": id },
      body: JSON.stringify({ model: "tts-1", input: "Hello there.", voice: "af_heart", response_format: "wav" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe(id);
    await response.arrayBuffer();
    await until(() => lines().some((l) => l.requestId === id && l.engine === "tts" && l.msg === "task done"), "the thread's line");
    await until(() => lines().some((l) => l.requestId === id && l.msg === "request completed"), "Fastify's closing line");
    const mine = lines().filter((l) => l.requestId === id);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(["incoming request", "request completed", "task done"]));
  });

  it("a transcription: the ASR thread's line carries it", async () => {
    const id = "trace-stt-0002";
    const { payload, headers } = transcription(fixture("speech.wav"));
    const response = await fetch(`${url}/v1/audio/transcriptions`, { method: "POST", headers: { ...headers, authorization: "Bearer k", "x-request-id": id }, body: new Uint8Array(payload) });
    expect(response.status).toBe(200);
    await until(() => lines().some((l) => l.requestId === id && l.engine === "asr" && l.msg === "task done"), "the ASR thread's line");
  });

  it("a malformed id is replaced by a new one, which is echoed", async () => {
    const response = await fetch(`${url}/health`, { headers: { "x-request-id": "two words <b>" } });
    const given = response.headers.get("x-request-id") ?? "";
    expect(given).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => lines().some((l) => l.requestId === given), "the replacement id in the log");
    expect(output).not.toContain("two words");
  });
});
