/** The NVIDIA model adapter in Node against the fake server on loopback (no workerd needed). */
import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["test/model/**/*.test.ts"], name: "model", testTimeout: 15_000 } });
