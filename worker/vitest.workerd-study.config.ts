/**
 * The study's defences with the deployment defaults, inside workerd: ALLOW_CLIENT_GROUP unset
 * (a client cannot choose its arm), and ENVIRONMENT "test" (production rules). The other
 * workerd projects turn client groups on, because their tests label sessions with a group;
 * an interview object reads its own bindings, so the default needs a project of its own.
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
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
        },
      },
    }),
  ],
  test: {
    name: "workerd-study",
    include: ["test/workerd-study/**/*.test.ts"],
    setupFiles: ["./test/workerd/apply-migrations.ts"],
    testTimeout: 20_000,
  },
}));
