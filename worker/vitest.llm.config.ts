/**
 * The interview with the NVIDIA model switched on, inside workerd: a global setup starts the
 * fake NVIDIA server on 127.0.0.1 (Node), and its URL reaches the Worker as NVIDIA_LLM_URL
 * through miniflare bindings (`inject`). Tests script the fake over its control endpoint.
 * Files run one at a time because they share the fake's script.
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");
/** Short, so failure-mode tests reach the deadline quickly (their turn times are in bench/llm-turn.bench.ts). */
export const LLM_TEST_TIMEOUT_S = "1";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    plugins: [
      cloudflareTest(({ inject }) => {
        const fakeUrl = inject<string>("fakeNvidiaUrl");
        return {
          wrangler: { configPath: path.join(root, "wrangler.toml") },
          miniflare: {
            bindings: {
              ENVIRONMENT: "test",
              ALLOW_CLIENT_GROUP: "true",
              TEST_MIGRATIONS: migrations,
              NVIDIA_API_KEY: "test-key",
              NVIDIA_LLM_URL: `${fakeUrl}/v1/chat/completions`,
              NVIDIA_LLM_MODEL: "test/fake-model",
              NVIDIA_LLM_TIMEOUT: LLM_TEST_TIMEOUT_S,
              FAKE_NVIDIA_URL: fakeUrl,
            },
          },
        };
      }),
    ],
    test: {
      name: "workerd-llm",
      include: ["test/workerd/llm-*.test.ts"],
      globalSetup: ["./test/fakes/fake-nvidia-setup.ts"],
      setupFiles: ["./test/workerd/apply-migrations.ts"],
      fileParallelism: false,
      testTimeout: 20_000,
    },
  };
});
