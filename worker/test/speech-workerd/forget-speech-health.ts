/**
 * Setup file: before each test the speech worker's health is forgotten (the fleet's
 * ServiceHealth objects for both URLs the tests use, and this isolate's breakers), so tests
 * that reach a closed port do not add up to an open circuit for later ones.
 */
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";
import { speechApiBase } from "../../src/clients/speech-client.ts";
import { forgetDependencyBreakersForTests, healthKey } from "../../src/health/dependencies.ts";

beforeEach(async () => {
  const urls = [env.SPEECH_WORKER_URL, (env as unknown as { CLOSED_SPEECH_URL: string }).CLOSED_SPEECH_URL];
  const namespace = env.SERVICE_HEALTH!;
  for (const base of urls.map(speechApiBase)) {
    if (base !== null) await namespace.get(namespace.idFromName(healthKey("speech", base))).reset();
  }
  forgetDependencyBreakersForTests();
});
