// Test runner settings for the speech worker: Node environment, tiny generated models built once
// in globalSetup, files run in parallel forks (2 cores here), generous timeouts for model loads.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
