/**
 * The speech worker as a child process of the stress suite's global setup
 * (speech-worker-control.ts), so a test can kill it (SIGKILL) and start it again on the same
 * port. It is gpu-worker's real app (`gpu-worker/src/app.ts`) on the tiny generated models,
 * built as `speech-worker-setup.ts` builds it, plus one test gate: while the parent says
 * "hold", transcription requests are taken and never answered, so the parent can kill the
 * process with uploads in flight. It reports over IPC: `ready` once listening, `held` per
 * request caught by the gate.
 *
 * Plain Node with type stripping (as gpu-worker's `npm start` runs): no TypeScript-only syntax.
 * Settings come from the environment (see speech-worker-control.ts).
 */
import Fastify from "fastify";
import speechWorkerApp from "../../../gpu-worker/src/app.ts";
import { loadConfig } from "../../../gpu-worker/src/config.ts";

type ParentMessage = { cmd: "hold" } | { cmd: "release" };

let holding = false;
let held = 0;
const release: (() => void)[] = [];
const send = (message: Record<string, unknown>) => process.send?.(message);

process.on("message", (message: ParentMessage) => {
  if (message.cmd === "hold") holding = true;
  if (message.cmd === "release") {
    holding = false;
    for (const go of release.splice(0)) go();
  }
  send({ type: "ack", cmd: message.cmd });
});
// The parent went away (vitest ended): so do we.
process.on("disconnect", () => process.exit(0));

const config = loadConfig(process.env);
const server = Fastify({ logger: { level: config.LOG_LEVEL }, bodyLimit: 1024 * 1024 });
server.addHook("onRequest", async (request) => {
  if (!holding || request.method !== "POST" || !request.url.startsWith("/v1/audio/transcriptions")) return;
  held += 1;
  send({ type: "held", count: held });
  await new Promise<void>((resolve) => release.push(resolve));
});
await server.register(speechWorkerApp, { config });
await server.listen({ host: "127.0.0.1", port: config.PORT });
send({ type: "ready", port: config.PORT, pid: process.pid });
