/** Node-side tests beyond the engine: storage on libSQL, statistics, the export CLI, the routes' validation hook. */
import { defineConfig } from "vitest/config";
export default defineConfig({
  test: { include: ["test/storage/**/*.test.ts", "test/stats/**/*.test.ts", "test/scripts/**/*.test.ts", "test/routes/**/*.test.ts"], name: "node" },
});
