/**
 * The console and the dashboard in a real browser (`npm run test:browser`, part of `npm test`):
 * Debian's Chromium driven by playwright-core against a real `wrangler dev`, plus the check
 * that no static asset takes a path of the API. Run after `npm run build:web`.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "browser",
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    // One dev server and one browser: the files run one after the other.
    fileParallelism: false,
    testTimeout: 300_000,
    // What a page shows after a round trip to wrangler dev: on a busy 2-core machine that can
    // take seconds (vitest's default wait is 1 s). A wait, not a speed assertion.
    expect: { poll: { timeout: 20_000, interval: 100 } },
    hookTimeout: 420_000,
  },
});
