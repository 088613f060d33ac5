/**
 * /stt, /tts and audio answers inside workerd against the REAL speech worker over HTTP: a
 * global setup starts `gpu-worker`'s app on 127.0.0.1 with tiny generated models, and its URL
 * reaches the Worker as SPEECH_WORKER_URL through miniflare bindings (`inject`), as the LLM
 * project does with its fake. The espeak-ng WAV fixtures of gpu-worker travel as bindings
 * (base64), since code in workerd cannot read files.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");
const fixture = (name: string) => readFileSync(path.join(root, "gpu-worker/test/fixtures/audio", name)).toString("base64");

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            ENVIRONMENT: "test",
            ALLOW_CLIENT_GROUP: "true",
            TEST_MIGRATIONS: migrations,
            SPEECH_WORKER_URL: inject<string>("speechWorkerUrl"),
            SPEECH_API_KEY: "speech-test-key",
            CLOSED_SPEECH_URL: inject<string>("closedSpeechUrl"),
            SPEECH_WAV_BASE64: fixture("speech.wav"),
            SPEECH_22K_WAV_BASE64: fixture("speech-22k.wav"),
          },
        },
      })),
    ],
    test: {
      name: "workerd-speech",
      include: ["test/speech-workerd/**/*.test.ts"],
      globalSetup: ["./test/speech-workerd/speech-worker-setup.ts"],
      setupFiles: ["./test/workerd/apply-migrations.ts", "./test/speech-workerd/forget-speech-health.ts"],
      testTimeout: 20_000,
      hookTimeout: 60_000,
    },
  };
});
