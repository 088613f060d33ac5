/** Test projects: the pure engine, storage/stats/CLI, the NVIDIA model adapter and dependency health in Node, and the Worker + Durable Objects in workerd (also with the model on, against a fake NVIDIA server), and the speech routes in Node and in workerd against the real speech worker (voice with two killable speech workers too). */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { projects: ["./vitest.engine.config.ts", "./vitest.node.config.ts", "./vitest.model.config.ts", "./vitest.health.config.ts", "./vitest.workerd.config.ts", "./vitest.workerd-study.config.ts", "./vitest.llm.config.ts", "./vitest.speech.config.ts", "./vitest.workerd-speech.config.ts", "./vitest.workerd-voice-fleet.config.ts"] },
});
