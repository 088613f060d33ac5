/** Scripts the fake NVIDIA server from inside workerd, over its HTTP control endpoint. */
import { env } from "cloudflare:workers";
import type { FakeCall, FakeRule, FakeSettings } from "../fakes/fake-nvidia.ts";

const base = () => (env as unknown as { FAKE_NVIDIA_URL: string }).FAKE_NVIDIA_URL;

export async function scriptFake(rules: FakeRule[], settings: FakeSettings = {}): Promise<void> {
  const response = await fetch(`${base()}/__fake/script`, { method: "POST", body: JSON.stringify({ rules, ...settings }) });
  if (!response.ok) throw new Error(`fake script failed: ${response.status}`);
}

export async function resetFake(): Promise<void> {
  await fetch(`${base()}/__fake/reset`, { method: "POST" });
}

export async function fakeCalls(): Promise<FakeCall[]> {
  const response = await fetch(`${base()}/__fake/log`);
  return ((await response.json()) as { calls: FakeCall[] }).calls;
}
