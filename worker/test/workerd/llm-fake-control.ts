/** Scripts the fake NVIDIA server from inside workerd, over its HTTP control endpoint. */
import { env } from "cloudflare:workers";
import type { FakeCall, FakeRule, FakeSettings } from "../fakes/fake-nvidia.ts";
import { shiftHealthClockForTests } from "../../src/health/clock.ts";
import { forgetDependencyBreakersForTests, healthKey } from "../../src/health/dependencies.ts";
import { nvidiaConfig } from "../../src/model/nvidia/config.ts";

const base = () => (env as unknown as { FAKE_NVIDIA_URL: string }).FAKE_NVIDIA_URL;

export async function scriptFake(rules: FakeRule[], settings: FakeSettings = {}): Promise<void> {
  const response = await fetch(`${base()}/__fake/script`, { method: "POST", body: JSON.stringify({ rules, ...settings }) });
  if (!response.ok) throw new Error(`fake script failed: ${response.status}`);
}

/** The fake answers well again, and the Worker forgets what it learned of its health (so tests do not share an open circuit). */
export async function resetFake(): Promise<void> {
  await fetch(`${base()}/__fake/reset`, { method: "POST" });
  await forgetModelHealth();
}

export async function fakeCalls(): Promise<FakeCall[]> {
  const response = await fetch(`${base()}/__fake/log`);
  return ((await response.json()) as { calls: FakeCall[] }).calls;
}

/** The fleet's ServiceHealth object for the model (the fake's URL). */
export function modelHealth() {
  const namespace = env.SERVICE_HEALTH!;
  return namespace.get(namespace.idFromName(healthKey("nvidia", nvidiaConfig(env)!.url)));
}

/**
 * Closes the model's circuit everywhere: the fleet's object, and this isolate's breakers
 * (the Worker's Durable Objects run in the test's isolate here, so they share them).
 */
export async function forgetModelHealth(): Promise<void> {
  await modelHealth().reset();
  forgetDependencyBreakersForTests();
  shiftHealthClockForTests(null);
}
