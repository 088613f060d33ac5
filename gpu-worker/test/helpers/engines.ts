/**
 * Builds the app as helpers/build.ts does, and also hands back its engine pools (`app.speech`
 * lives in the app plugin's own context, out of the root instance's reach), so a test can hold a
 * thread busy (EnginePool.hold) or read how many requests are admitted.
 */
import Fastify, { type FastifyInstance } from "fastify";
import app from "../../src/app.ts";
import type { SpeechEngines } from "../../src/plugins/speech.ts";
import { testConfig } from "./build.ts";

export async function buildWithEngines(overrides: Record<string, string> = {}): Promise<{ app: FastifyInstance; engines: SpeechEngines }> {
  const config = testConfig(overrides);
  const server = Fastify({ logger: { level: config.LOG_LEVEL }, bodyLimit: 1024 * 1024 });
  let inner: FastifyInstance | undefined;
  server.addHook("onRegister", (instance) => { inner ??= instance; }); // the first context registered is the app's
  await server.register(app, { config });
  await server.ready();
  return { app: server, engines: inner!.speech };
}
