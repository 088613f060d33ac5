/** Two test projects: the pure engine in Node, and the Worker + Durable Objects in workerd. */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { projects: ["./vitest.engine.config.ts", "./vitest.workerd.config.ts"] },
});
