/**
 * Voice with several speech workers: the Worker in workerd, SPEECH_WORKER_URL naming TWO real
 * speech worker processes (tiny generated models) that the tests kill and restart through a
 * control server (test/voice-fleet/speech-fleet-setup.ts).
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

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
            SPEECH_WORKER_URL: inject<string>("fleetSpeechUrls"),
            SPEECH_API_KEY: inject<string>("fleetSpeechKey"),
            FLEET_CONTROL_URL: inject<string>("fleetControlUrl"),
            SPEECH_WAV_BASE64: inject<string>("fleetSpeechWav"),
          },
        },
      })),
    ],
    test: {
      name: "workerd-voice-fleet",
      include: ["test/voice-fleet/**/*.test.ts"],
      globalSetup: ["./test/voice-fleet/speech-fleet-setup.ts"],
      setupFiles: ["./test/workerd/apply-migrations.ts"],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
});
