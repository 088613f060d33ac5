/**
 * The fault suite (`npm run test:stress`, test/stress/README.md): interviews under faults,
 * inside workerd with real Durable Objects and D1. Not part of `npm test` (vitest.config.ts).
 *
 * Projects, run one after another (`sequence.groupOrder`) so a 2-core machine is not asked to
 * host a thousand sockets while a speech worker restarts:
 * - stress-d1: object resets mid-replication, a D1 outage under several interviews, many
 *   interviews opening at once (plain bindings, no model, no speech worker).
 * - stress-llm: the NVIDIA model hanging for every interview (the fake NVIDIA server of
 *   test/fakes, NVIDIA_LLM_TIMEOUT = 1 s).
 * - stress-speech: the real speech worker (gpu-worker's app on tiny generated models) as a
 *   child process the tests kill and restart (test/stress/speech-worker-control.ts).
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");
const wrangler = { configPath: path.join(root, "wrangler.toml") };

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  const common = {
    setupFiles: ["./test/workerd/apply-migrations.ts"],
    // Bounds on waiting only: nothing in the suite asserts elapsed time.
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  };
  return {
    test: {
      // The faults make the Worker log its expected failures (replication retries, model
      // timeouts, the speech worker unreachable); STRESS_VERBOSE=1 shows them.
      onConsoleLog: (_log: string, type: "stdout" | "stderr") => (type === "stderr" && !process.env.STRESS_VERBOSE ? false : undefined),
      projects: [
        {
          plugins: [cloudflareTest({ wrangler, miniflare: { bindings: { ENVIRONMENT: "test", ALLOW_CLIENT_GROUP: "true", TEST_MIGRATIONS: migrations, STRESS_SOCKETS: process.env.STRESS_SOCKETS ?? "1000" } } })],
          test: { name: "stress-d1", include: ["test/stress/d1-*.test.ts", "test/stress/crowd.test.ts"], sequence: { groupOrder: 1 }, ...common },
        },
        {
          plugins: [
            cloudflareTest(({ inject }) => {
              const fakeUrl = inject<string>("fakeNvidiaUrl");
              return {
                wrangler,
                miniflare: {
                  bindings: {
                    ENVIRONMENT: "test",
                    ALLOW_CLIENT_GROUP: "true",
                    TEST_MIGRATIONS: migrations,
                    NVIDIA_API_KEY: "test-key",
                    NVIDIA_LLM_URL: `${fakeUrl}/v1/chat/completions`,
                    NVIDIA_LLM_MODEL: "test/fake-model",
                    NVIDIA_LLM_TIMEOUT: "1",
                    FAKE_NVIDIA_URL: fakeUrl,
                  },
                },
              };
            }),
          ],
          test: {
            name: "stress-llm",
            include: ["test/stress/llm-*.test.ts"],
            globalSetup: ["./test/fakes/fake-nvidia-setup.ts"],
            sequence: { groupOrder: 2 },
            ...common,
          },
        },
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler,
              miniflare: {
                bindings: {
                  ENVIRONMENT: "test",
                  ALLOW_CLIENT_GROUP: "true",
                  TEST_MIGRATIONS: migrations,
                  SPEECH_WORKER_URL: inject<string>("stressSpeechUrl"),
                  SPEECH_API_KEY: inject<string>("stressSpeechKey"),
                  SPEECH_CONTROL_URL: inject<string>("stressSpeechControlUrl"),
                  SPEECH_WAV_BASE64: inject<string>("stressSpeechWav"),
                },
              },
            })),
          ],
          test: {
            name: "stress-speech",
            include: ["test/stress/speech-*.test.ts"],
            globalSetup: ["./test/stress/speech-worker-control.ts"],
            sequence: { groupOrder: 3 },
            ...common,
          },
        },
      ],
    },
  };
});
