/** Dependency health in Node: the breaker, the fleet's breaker, and an isolate's shared view of it (fake health object, manual clock). */
import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["test/health/**/*.test.ts"], name: "health", testTimeout: 15_000 } });
