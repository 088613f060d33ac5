/**
 * The operator's view of speech workers, against the real one and a closed port: `GET /ops`
 * counts speech calls by outcome fleet-wide, and `GET /health` says `failing` once a speech
 * worker's circuit is open, `partial` when one of two is; the admin's detail carries the
 * speech worker's own /health (its execution provider).
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { speechApiBase } from "../../src/clients/speech-client.ts";
import { healthKey } from "../../src/health/dependencies.ts";
import { flushTalliesForTests } from "../../src/ops/fleet-tally.ts";
import { ADMIN_TOKEN, asAdmin, bearer, call, postJson } from "../workerd/rest-client.ts";
import { speechDown } from "./speech-helpers.ts";

afterEach(() => vi.restoreAllMocks());

const tts = (overrides = {}) => call("/tts", postJson({ text: `Count me ${crypto.randomUUID().slice(0, 8)}.` }, bearer(ADMIN_TOKEN)), overrides);

async function openCircuit(url: string): Promise<void> {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  for (let i = 0; i < 3; i++) await tts({ SPEECH_WORKER_URL: url });
  const namespace = env.SERVICE_HEALTH!;
  const health = namespace.get(namespace.idFromName(healthKey("speech", speechApiBase(url)!)));
  const deadline = Date.now() + 5_000;
  while (!(await health.view()).opened) {
    if (Date.now() > deadline) throw new Error("the fleet never heard of the outage");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("speech workers in /ops and /health", () => {
  it("/ops counts calls by outcome for each speech worker", async () => {
    expect((await tts()).status).toBe(200);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await tts(speechDown);
    await flushTalliesForTests(env);
    const good = speechApiBase(env.SPEECH_WORKER_URL)!;
    const bad = speechApiBase(speechDown.SPEECH_WORKER_URL)!;
    const both = `${env.SPEECH_WORKER_URL},${speechDown.SPEECH_WORKER_URL}`;
    const body = (await (await asAdmin("/ops", {}, { SPEECH_WORKER_URL: both })).json()) as {
      dependencies: { endpoint: string; breaker: { state: string }; calls: { outcomes: Record<string, { count: number; maxMs: number }> } }[];
    };
    const byEndpoint = new Map(body.dependencies.map((d) => [d.endpoint, d]));
    expect(byEndpoint.get(good)?.calls.outcomes.ok?.count).toBeGreaterThan(0);
    expect(byEndpoint.get(bad)?.calls.outcomes.network?.count).toBeGreaterThan(0);
  });

  it("/health: ok, then failing once the only speech worker's circuit opened; partial with two", async () => {
    expect(await (await call("/health")).json()).toMatchObject({ status: "ok", speech: "ok" });
    await openCircuit(speechDown.SPEECH_WORKER_URL!);
    expect(await (await call("/health", {}, speechDown)).json()).toMatchObject({ status: "degraded", speech: "failing" });
    const both = { SPEECH_WORKER_URL: `${env.SPEECH_WORKER_URL},${speechDown.SPEECH_WORKER_URL}` };
    expect(await (await call("/health", {}, both)).json()).toMatchObject({ status: "degraded", speech: "partial" });
  });

  it("the admin's detail: each speech worker's breaker and its own /health (provider cpu here)", async () => {
    const body = (await (await asAdmin("/health")).json()) as {
      detail: { speech: { endpoint: string; breaker: { state: string }; worker: { httpStatus: number; health: { models: { tts: { provider: string } } } } }[] };
    };
    expect(body.detail.speech).toHaveLength(1);
    expect(body.detail.speech[0]).toMatchObject({ breaker: { state: "closed" }, worker: { httpStatus: 200, health: { models: { tts: { provider: "cpu" } } } } });
  });
});
