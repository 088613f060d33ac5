/** The speech pieces in Node: delivery metrics, the speech client's requests and error mapping, the TTS cache. */
import { defineConfig } from "vitest/config";
export default defineConfig({ test: { include: ["test/speech/**/*.test.ts"], name: "speech" } });
