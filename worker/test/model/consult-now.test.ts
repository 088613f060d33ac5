/**
 * `consultNow` (the whole result without I/O when no call will be made) and the NVIDIA
 * interviewer on a breaker shared with other isolates: refused at once while the fleet's
 * circuit is open, and cut short mid-call when it opens while the call hangs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ConsultRequest } from "../../src/engine/types.ts";
import { FleetBreaker } from "../../src/health/fleet-breaker.ts";
import { SharedBreaker, type HealthLink } from "../../src/health/shared-breaker.ts";
import { heuristicsOnly } from "../../src/model/interviewer-model.ts";
import { NvidiaInterviewer } from "../../src/model/nvidia/nvidia-interviewer.ts";
import { startFakeNvidia, type FakeNvidia } from "../fakes/fake-nvidia.ts";

let fake: FakeNvidia;
beforeAll(async () => {
  fake = await startFakeNvidia();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function request(parts: Partial<ConsultRequest> = {}): ConsultRequest {
  return {
    id: 1,
    sessionId: "s",
    turn: 2,
    style: "neutral",
    pack: "swe_system_design",
    difficulty: "standard",
    history: [],
    stream: false,
    coaching: { question: "Design a cache?", answer: "LRU with a TTL.", metrics: {} },
    nextQuestion: { previousQuestion: "Design a cache?", mainQuestionIndex: 1 },
    ...parts,
  };
}

const hooks = () => ({ signal: new AbortController().signal });

/** One fleet, and a breaker per "isolate" linked to it, on the real clock. */
function fleetOf() {
  const fleet = new FleetBreaker(undefined);
  const link: HealthLink = {
    view: async () => structuredClone(fleet.view()),
    report: async (report) => structuredClone(fleet.report(report)),
    acquireProbe: async (leaseMs) => structuredClone(fleet.acquireProbe(leaseMs)),
  };
  return { fleet, isolate: () => new SharedBreaker({ link, name: "nvidia" }) };
}

function model(breaker: SharedBreaker, timeoutMs = 600) {
  return new NvidiaInterviewer({ apiKey: "k", url: fake.chatUrl, model: "test/model", timeoutMs }, { breaker });
}

async function openByFailures(breaker: SharedBreaker) {
  for (let i = 0; i < 3; i++) (await breaker.acquire({ leaseMs: 1_000 }))!.failure();
  await new Promise((resolve) => setTimeout(resolve, 0));
}

describe("consultNow", () => {
  it("heuristics only: always an empty result", () => {
    expect(heuristicsOnly.consultNow?.(request())).toEqual({});
  });

  it("is null while the circuit lets calls through", () => {
    expect(model(new SharedBreaker()).consultNow(request())).toBeNull();
  });

  it("while open: the circuit_open reports consult would give, and consult agrees without calling the API", async () => {
    const breaker = new SharedBreaker();
    await openByFailures(breaker);
    const m = model(breaker);
    for (const req of [request(), request({ stream: true, coaching: undefined }), request({ coaching: undefined, nextQuestion: undefined, clarification: { prompt: "p?", question: "q?" } })]) {
      const now = m.consultNow(req);
      expect(now?.calls?.every((c) => c.outcome === "circuit_open" && c.attempts === 0 && c.status === null)).toBe(true);
      const later = await m.consult(req, { ...hooks(), onQuestionDelta: req.stream ? () => undefined : undefined });
      expect(now).toEqual(later);
    }
    expect(m.consultNow(request())?.calls?.map((c) => c.purpose)).toEqual(["coaching", "question"]);
    expect(m.consultNow(request({ stream: true }))?.calls?.map((c) => c.streamed)).toEqual([false, true]);
    expect(fake.calls()).toEqual([]);
  });

  it("is null in half-open with the probe free (the consult will probe), and refuses again once it is taken", async () => {
    let now = 0;
    const breaker = new SharedBreaker({ clock: () => now });
    await openByFailures(breaker);
    now += 30_000;
    const m = model(breaker);
    expect(m.consultNow(request())).toBeNull();
    const probe = await breaker.acquire({ leaseMs: 1_000 });
    expect(probe?.grant).toBe("probe");
    expect(m.consultNow(request())?.calls).toHaveLength(2);
  });

  it("a request that needs no call: an empty report list, at once", () => {
    expect(model(new SharedBreaker()).consultNow(request({ coaching: undefined, nextQuestion: undefined }))).toEqual({ calls: [] });
  });
});

describe("NvidiaInterviewer on the fleet's breaker", () => {
  it("refuses every call in an isolate that has only the fleet's word for the outage", async () => {
    const { isolate } = fleetOf();
    await openByFailures(isolate());
    const fresh = isolate();
    fresh.refusesNow(); // its first view, in the background, as any turn would start it
    await new Promise((resolve) => setTimeout(resolve, 0));
    const m = model(fresh);
    expect(m.consultNow(request())?.calls?.map((c) => c.outcome)).toEqual(["circuit_open", "circuit_open"]);
    expect(fake.calls()).toEqual([]);
  });

  it("cuts a hung call short when the fleet opens the circuit while it waits (reported circuit_open, not a timeout)", async () => {
    fake.script([{ reply: { delayMs: 10_000 } }]);
    const { fleet, isolate } = fleetOf();
    const m = model(isolate(), 10_000);
    const turn = m.consult(request({ coaching: undefined }), hooks());
    await new Promise((resolve) => setTimeout(resolve, 50));
    await openByFailures(isolate()); // another isolate sees the outage
    const result = await turn;
    expect(result.calls).toEqual([
      expect.objectContaining({ purpose: "question", outcome: "circuit_open", attempts: 1, detail: "circuit opened during the call" }),
    ]);
    expect(result.question ?? null).toBeNull();
    // Cut short is no verdict on the API: the fleet's count is what the other isolate reported.
    expect(fleet.view()).toMatchObject({ opened: true });
  });
});
