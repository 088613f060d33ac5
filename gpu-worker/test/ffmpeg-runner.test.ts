/**
 * The ffmpeg runner, on its own and behind the transcription route, with a stand-in ffmpeg (a shell script that records its PID and
 * sleeps, so a decode lasts until it is killed): at most FFMPEG_MAX_PROCESSES children alive at
 * once, a child killed at FFMPEG_TIMEOUT_MS, a child killed when its caller's signal fires, and a
 * decode still waiting for a slot dropped without ever starting ffmpeg; on the route, a client
 * that disconnects mid-decode leaves no ffmpeg process, and a decode past the timeout is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DecodeCancelledError, FfmpegRunner, FfmpegTimeoutError } from "../src/pipelines/decode.ts";
import type { SpeechEngines } from "../src/plugins/speech.ts";
import { build, transcription } from "./helpers/build.ts";
import { buildWithEngines } from "./helpers/engines.ts";

function slowFfmpeg(): { path: string; pids: () => number[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "slow-ffmpeg-"));
  const path = join(dir, "ffmpeg");
  // `-version` (the probe at start) answers at once; a decode records its PID and sleeps
  // (exec keeps the PID: the one recorded is the child node spawned).
  writeFileSync(path, `#!/bin/sh\ncase "$*" in *-version*) echo "ffmpeg version stand-in"; exit 0;; esac\necho $$ >> "${dir}/pids"\nexec sleep 600\n`);
  chmodSync(path, 0o755);
  const file = join(dir, "pids");
  return { path, dir, pids: () => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map(Number) : []) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

const NOT_WAV = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3, 4]);

describe("FfmpegRunner", () => {
  const fake = slowFfmpeg();
  afterAll(() => {
    for (const pid of fake.pids()) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it("runs at most maxProcesses children; the next starts only when one has gone; a waiting decode can leave unstarted", async () => {
    const runner = new FfmpegRunner({ path: fake.path, maxProcesses: 1, timeoutMs: 600_000 });
    const a = new AbortController();
    const b = new AbortController();
    const c = new AbortController();
    const first = runner.decode(NOT_WAV, 10, a.signal).catch((e: unknown) => e);
    const second = runner.decode(NOT_WAV, 10, b.signal).catch((e: unknown) => e);
    const third = runner.decode(NOT_WAV, 10, c.signal).catch((e: unknown) => e);
    await until("the first child", () => fake.pids().length === 1);
    expect(runner.running).toBe(1);
    expect(runner.waiting).toBe(2);

    c.abort(); // still waiting: dropped, never spawned
    expect(await third).toBeInstanceOf(DecodeCancelledError);
    expect(runner.waiting).toBe(1);

    const [pid1] = fake.pids();
    a.abort();
    expect(await first).toBeInstanceOf(DecodeCancelledError);
    await until("the second child", () => fake.pids().length === 2);
    expect(alive(pid1!), "the first child was gone before the second started").toBe(false);

    b.abort();
    expect(await second).toBeInstanceOf(DecodeCancelledError);
    const [, pid2] = fake.pids();
    await until("the second child to be gone", () => !alive(pid2!));
    expect(fake.pids()).toHaveLength(2);
    expect(runner.running).toBe(0);
  });

  it("kills a child that runs past timeoutMs", async () => {
    const runner = new FfmpegRunner({ path: fake.path, maxProcesses: 2, timeoutMs: 300 });
    const before = fake.pids().length;
    const err = await runner.decode(NOT_WAV, 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegTimeoutError);
    expect((err as Error).message).toMatch(/FFMPEG_TIMEOUT_MS/);
    const pid = fake.pids()[before]!;
    expect(alive(pid)).toBe(false);
    expect(runner.running).toBe(0);
  });
});

describe("ffmpeg behind the transcription route", () => {
  const fake = slowFfmpeg();
  let app: FastifyInstance;
  let engines: SpeechEngines;
  let port: number;
  beforeAll(async () => {
    ({ app, engines } = await buildWithEngines({ FFMPEG_PATH: fake.path, FFMPEG_TIMEOUT_MS: "600000", KOKORO_MODEL: "", PIPER_DIR: "" }));
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    for (const pid of fake.pids()) if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it("kills the ffmpeg child when the client disconnects mid-decode, and frees the request's place", async () => {
    const body = transcription(Buffer.from(NOT_WAV), {}, "answer.ogg");
    const req = httpRequest({ host: "127.0.0.1", port, path: "/v1/audio/transcriptions", method: "POST", headers: { ...body.headers, "content-length": String(body.payload.length) } });
    req.on("error", () => {});
    req.end(body.payload);
    await until("ffmpeg to start", () => fake.pids().length === 1);
    const [pid] = fake.pids();
    expect(alive(pid!)).toBe(true);
    expect(engines.asr!.admitted).toBe(1);

    req.destroy();
    await until("the ffmpeg child to be gone", () => !alive(pid!));
    await until("the request's place to be released", () => engines.asr!.admitted === 0);
  });
});

describe("FFMPEG_TIMEOUT_MS on the route", () => {
  const fake = slowFfmpeg();
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await build({ FFMPEG_PATH: fake.path, FFMPEG_TIMEOUT_MS: "300", KOKORO_MODEL: "", PIPER_DIR: "" });
  });
  afterAll(async () => {
    await app.close();
    rmSync(fake.dir, { recursive: true, force: true });
  });

  it("answers 400 decode_timeout naming the variable, the child killed", async () => {
    const res = await app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(Buffer.from(NOT_WAV), {}, "answer.ogg") });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "decode_timeout", param: "file" });
    expect(res.json().error.message).toMatch(/FFMPEG_TIMEOUT_MS/);
    expect(alive(fake.pids()[0]!)).toBe(false);
  });
});
