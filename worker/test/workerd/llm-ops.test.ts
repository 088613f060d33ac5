/**
 * The model in the operator's view, with the fake NVIDIA server: `GET /ops` counts model
 * calls by outcome fleet-wide (failed ones and ok ones), and `GET /health` says the model is
 * `failing` once its circuit is open, without a word of why to an anonymous caller.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushTalliesForTests } from "../../src/ops/fleet-tally.ts";
import { asAdmin, call } from "./rest-client.ts";
import { modelHealth, resetFake, scriptFake } from "./llm-fake-control.ts";
import { startInterview } from "./socket-client.ts";

beforeEach(() => resetFake());
afterEach(() => vi.restoreAllMocks());

interface OpsBody {
  dependencies: { dependency: string; breaker: { state: string }; calls: { outcomes: Record<string, { count: number }> } }[];
}

async function modelOps(): Promise<OpsBody["dependencies"][number]> {
  await flushTalliesForTests(env);
  const body = (await (await asAdmin("/ops")).json()) as OpsBody;
  return body.dependencies.find((d) => d.dependency === "nvidia")!;
}

describe("the model in /ops and /health", () => {
  it("counts ok calls and failed ones by outcome", async () => {
    const before = (await modelOps()).calls.outcomes;
    const { socket } = await startInterview({ group: "control" });
    socket.close();
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await scriptFake([{ reply: { status: 500 } }]);
    const failed = await startInterview({ group: "control" });
    failed.socket.close();
    const after = (await modelOps()).calls.outcomes;
    expect(after.ok?.count ?? 0).toBeGreaterThan(before.ok?.count ?? 0);
    expect(after.http_error?.count ?? 0).toBeGreaterThan(before.http_error?.count ?? 0);
  });

  it("/health: model ok, then failing once the circuit is open (anonymous: no reason given)", async () => {
    expect(await (await call("/health")).json()).toMatchObject({ model: "ok" });
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await scriptFake([{ reply: { status: 500 } }]);
    const deadline = Date.now() + 10_000;
    while (!(await modelHealth().view()).opened) {
      if (Date.now() > deadline) throw new Error("the circuit never opened");
      const { socket } = await startInterview({ group: "control" });
      socket.close();
    }
    const response = await call("/health");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "degraded", storage: "ok", model: "failing", speech: "off" });
    expect(text).not.toMatch(/500|http_error/);
    expect((await modelOps()).breaker.state).toBe("open");
  });
});
