/** Test projects: the pure engine and storage/stats/CLI in Node, and the Worker + Durable Objects in workerd. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { projects: ["./vitest.engine.config.ts", "./vitest.node.config.ts", "./vitest.workerd.config.ts"] },
});
