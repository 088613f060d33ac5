/**
 * Vitest global setup (Node) of the stress-speech project: the real speech worker as a child
 * process (speech-worker-child.ts: gpu-worker's app on tiny generated models) on a fixed
 * loopback port, and a small control server the tests inside workerd call to kill it
 * (SIGKILL: no graceful close, uploads in flight are cut), start it again on the same port,
 * or make it hold transcription requests unanswered. Same pattern as the fake NVIDIA
 * server's control endpoint; test/stress/speech-control.ts is the client.
 *
 *   POST /start    start the speech worker (if it is not running); answers once it listens
 *   POST /kill     SIGKILL it; answers once the process is gone
 *   POST /hold     transcription requests are taken and left unanswered until /release or a kill
 *   POST /release
 *   GET  /state    {running, pid, starts, held}
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { writeTinyModels } from "../../../gpu-worker/test/fixtures/tiny-models.ts";
import { freeLoopbackPort } from "../helpers/free-port.ts";
import { tinySpeechWorkerEnv } from "../../../gpu-worker/test/helpers/tiny-speech-worker.ts";

const SPEECH_KEY = "stress-speech-key";
const CHILD = resolve(import.meta.dirname, "speech-worker-child.ts");
const FIXTURE = resolve(import.meta.dirname, "../../../gpu-worker/test/fixtures/audio/speech.wav");

declare module "vitest" {
  export interface ProvidedContext {
    stressSpeechUrl: string;
    stressSpeechKey: string;
    stressSpeechControlUrl: string;
    stressSpeechWav: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const modelsDir = mkdtempSync(join(tmpdir(), "stress-speech-models-"));
  writeTinyModels(modelsDir);
  const port = await freeLoopbackPort();
  const env = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    ...tinySpeechWorkerEnv(modelsDir, SPEECH_KEY),
    LOG_LEVEL: "silent",
  };

  let child: ChildProcess | null = null;
  let starts = 0;
  let held = 0;

  const start = async (): Promise<void> => {
    if (child) return;
    held = 0;
    const proc = fork(CHILD, [], { env, execArgv: ["--no-warnings"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    child = proc;
    proc.on("message", (message: { type: string; count?: number }) => {
      if (message.type === "held") held = message.count ?? held;
    });
    proc.once("exit", () => {
      if (child === proc) child = null;
    });
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error("the speech worker did not start within 60 s")), 60_000);
      proc.on("message", (message: { type: string }) => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        ready();
      });
      proc.once("exit", (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`the speech worker exited while starting (${code ?? signal})`));
      });
    });
    starts += 1;
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    const gone = new Promise<void>((done) => proc.once("exit", () => done()));
    proc.kill("SIGKILL");
    await gone;
    child = null;
  };

  const tell = async (cmd: "hold" | "release"): Promise<void> => {
    const proc = child;
    if (!proc) throw new Error("the speech worker is not running");
    await new Promise<void>((done) => {
      const onAck = (message: { type: string; cmd?: string }) => {
        if (message.type !== "ack" || message.cmd !== cmd) return;
        proc.off("message", onAck);
        done();
      };
      proc.on("message", onAck);
      proc.send({ cmd });
    });
  };

  const control = createHttpServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const state = () => ({ running: child !== null, pid: child?.pid ?? null, starts, held });
    const route = `${req.method} ${req.url}`;
    const action =
      route === "POST /start" ? start() : route === "POST /kill" ? kill() : route === "POST /hold" ? tell("hold") : route === "POST /release" ? tell("release") : route === "GET /state" ? Promise.resolve() : null;
    if (!action) return reply(404, { error: `no route ${route}` });
    action.then(
      () => reply(200, state()),
      (error: unknown) => reply(500, { error: String(error), ...state() }),
    );
  });
  await new Promise<void>((listening) => control.listen(0, "127.0.0.1", listening));

  await start();
  project.provide("stressSpeechUrl", `http://127.0.0.1:${port}`);
  project.provide("stressSpeechKey", SPEECH_KEY);
  project.provide("stressSpeechControlUrl", `http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  project.provide("stressSpeechWav", readFileSync(FIXTURE).toString("base64"));

  return async () => {
    await kill();
    await new Promise<void>((closed) => control.close(() => closed()));
    rmSync(modelsDir, { recursive: true, force: true });
  };
}
