/** Vitest global setup (Node): one fake NVIDIA server for the workerd-llm project. */
import type { TestProject } from "vitest/node";
import { startFakeNvidia } from "./fake-nvidia.ts";

declare module "vitest" {
  export interface ProvidedContext {
    fakeNvidiaUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fake = await startFakeNvidia();
  project.provide("fakeNvidiaUrl", fake.url);
  return () => fake.close();
}
