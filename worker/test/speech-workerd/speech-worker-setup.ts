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
import type { TestProject } from "vitest/node";
import { startTinySpeechWorker } from "../../../gpu-worker/test/helpers/tiny-speech-worker.ts";
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
  // Its log lines are kept in memory for the request-id trace test, not printed.
  const logLines: string[] = [];
  const speech = await startTinySpeechWorker({
    apiKey: SPEECH_TEST_KEY,
    env: { MAX_UPLOAD_BYTES: String(SPEECH_TEST_MAX_UPLOAD_BYTES) },
    logStream: { write: (line) => void logLines.push(line) },
    // Test only: its log so far, so a test in workerd (which cannot read files) can follow an id.
    prepare: (server) => void server.get("/test-logs", async () => logLines.join("")),
  });
  project.provide("speechWorkerUrl", speech.url);
  project.provide("closedSpeechUrl", `http://127.0.0.1:${await freeLoopbackPort()}`);
  return () => speech.stop();
}
