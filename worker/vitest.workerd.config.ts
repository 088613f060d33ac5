/**
 * Worker and Durable Object tests inside workerd with real bindings (miniflare): the same
 * wrangler.toml as production, D1 migrations from `migrations/` applied by a setup file.
 */
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          ENVIRONMENT: "test",
          // These tests name groups to label their sessions; vitest.workerd-study.config.ts runs with the default (off).
          ALLOW_CLIENT_GROUP: "true",
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
        },
      },
    }),
  ],
  test: {
    name: "workerd",
    include: ["test/workerd/**/*.test.ts"],
    // Those run with the model switched on, in vitest.llm.config.ts.
    exclude: ["test/workerd/llm-*.test.ts"],
    setupFiles: ["./test/workerd/apply-migrations.ts"],
    testTimeout: 20_000,
  },
}));
