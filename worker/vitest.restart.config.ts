/**
 * Part of the fault suite (`npm run test:stress`): the dev server killed and restarted between
 * turns. Runs in Node against a real `wrangler dev` (test/stress/dev-restart.test.ts), so it
 * has its own config beside vitest.stress.config.ts (whose projects run inside workerd).
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "stress-restart",
    include: ["test/stress/dev-restart.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
