/**
 * Vitest global setup (Node) of the workerd-voice-fleet project: TWO real speech workers as
 * child processes (the fault suite's speech-worker-child.ts: gpu-worker's app on tiny
 * generated models), each on its own fixed loopback port, both named in SPEECH_WORKER_URL, and
 * a control server the tests inside workerd call to kill one (SIGKILL: connections cut) or
 * start it again on the same port.
 *
 *   POST /start/:i   start worker i (0 or 1) if it is not running; answers once it listens
 *   POST /kill/:i    SIGKILL worker i; answers once the process is gone
 *   GET  /state      [{running, pid}, ...]
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { writeTinyModels } from "../../../gpu-worker/test/fixtures/tiny-models.ts";
import { freeLoopbackPort } from "../helpers/free-port.ts";
import { tinySpeechWorkerEnv } from "../../../gpu-worker/test/helpers/tiny-speech-worker.ts";

const SPEECH_KEY = "fleet-speech-key";
const CHILD = resolve(import.meta.dirname, "../stress/speech-worker-child.ts");
const FIXTURE = resolve(import.meta.dirname, "../../../gpu-worker/test/fixtures/audio/speech.wav");

declare module "vitest" {
  export interface ProvidedContext {
    fleetSpeechUrls: string;
    fleetSpeechKey: string;
    fleetControlUrl: string;
    fleetSpeechWav: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const modelsDir = mkdtempSync(join(tmpdir(), "fleet-speech-models-"));
  writeTinyModels(modelsDir);
  const ports = [await freeLoopbackPort(), await freeLoopbackPort()];
  const children: (ChildProcess | null)[] = [null, null];

  const start = async (i: number): Promise<void> => {
    if (children[i]) return;
    const env = {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(ports[i]),
      ...tinySpeechWorkerEnv(modelsDir, SPEECH_KEY),
      LOG_LEVEL: "silent",
    };
    const proc = fork(CHILD, [], { env, execArgv: ["--no-warnings"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children[i] = proc;
    proc.once("exit", () => {
      if (children[i] === proc) children[i] = null;
    });
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`speech worker ${i} did not start within 60 s`)), 60_000);
      proc.on("message", (message: { type: string }) => {
        if (message.type !== "ready") return;
        clearTimeout(timer);
        ready();
      });
      proc.once("exit", (code, signal) => {
        clearTimeout(timer);
        fail(new Error(`speech worker ${i} exited while starting (${code ?? signal})`));
      });
    });
  };

  const kill = async (i: number): Promise<void> => {
    const proc = children[i];
    if (!proc) return;
    const gone = new Promise<void>((done) => proc.once("exit", () => done()));
    proc.kill("SIGKILL");
    await gone;
    children[i] = null;
  };

  const control = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const state = () => children.map((c) => ({ running: c !== null, pid: c?.pid ?? null }));
    const match = /^(POST \/(start|kill)\/([01])|GET \/state)$/.exec(`${req.method} ${req.url}`);
    if (!match) return reply(404, { error: `no route ${req.method} ${req.url}` });
    const i = Number(match[3]);
    const action = match[2] === "start" ? start(i) : match[2] === "kill" ? kill(i) : Promise.resolve();
    action.then(
      () => reply(200, state()),
      (error: unknown) => reply(500, { error: String(error), state: state() }),
    );
  });
  await new Promise<void>((listening) => control.listen(0, "127.0.0.1", listening));

  // One after the other: two model loads at once can outlast fastify's plugin timeout on a busy machine.
  await start(0);
  await start(1);
  project.provide("fleetSpeechUrls", ports.map((p) => `http://127.0.0.1:${p}`).join(","));
  project.provide("fleetSpeechKey", SPEECH_KEY);
  project.provide("fleetControlUrl", `http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  project.provide("fleetSpeechWav", readFileSync(FIXTURE).toString("base64"));

  return async () => {
    await Promise.all([kill(0), kill(1)]);
    await new Promise<void>((closed) => control.close(() => closed()));
    rmSync(modelsDir, { recursive: true, force: true });
  };
}
