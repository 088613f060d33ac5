/**
 * An isolate's shared breaker against the fleet's breaker: two "isolates" (SharedBreaker
 * instances) talk to one FleetBreaker through an async link that copies every answer, as
 * RPC to the ServiceHealth object does. Manual clock for the breaker's time; the link's own
 * timeouts use real timers.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { FleetBreaker, type FleetReport } from "../../src/health/fleet-breaker.ts";
import { PROBE_WAIT_MS, SharedBreaker, type HealthLink, type Permit } from "../../src/health/shared-breaker.ts";

const LEASE = { leaseMs: 13_000 };

function world() {
  let now = 1_000_000;
  const clock = () => now;
  const fleet = new FleetBreaker(undefined, clock);
  const asked = { view: 0, report: [] as FleetReport[], probe: 0 };
  const link: HealthLink = {
    view: async () => (asked.view++, structuredClone(fleet.view())),
    report: async (report) => (asked.report.push(report), structuredClone(fleet.report(report))),
    acquireProbe: async (leaseMs) => (asked.probe++, structuredClone(fleet.acquireProbe(leaseMs))),
  };
  const isolate = () => new SharedBreaker({ link, clock, name: "test" });
  return { fleet, asked, isolate, advance: (ms: number) => (now += ms) };
}

/** Lets background health requests (never awaited by the breaker) finish. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function failTimes(breaker: SharedBreaker, times: number) {
  for (let i = 0; i < times; i++) (await breaker.acquire(LEASE))!.failure();
  await settle();
}

afterEach(() => vi.restoreAllMocks());

describe("SharedBreaker", () => {
  it("opens fleet-wide: failures seen by one isolate make another refuse, from its first view on", async () => {
    const { fleet, isolate } = world();
    const a = isolate();
    const b = isolate();
    await failTimes(a, 3);
    expect(fleet.view().opened).toBe(true);
    expect(a.refusesNow()).toBe(true);
    // b never saw a failure: its first question only starts the background view.
    expect(b.refusesNow()).toBe(false);
    await settle();
    expect(b.refusesNow()).toBe(true);
    expect(await b.acquire(LEASE)).toBeNull();
    expect(b.retryInMs()).toBe(30_000);
  });

  it("asks for the fleet's view at most once a second, never while idle", async () => {
    const { asked, isolate, advance } = world();
    const a = isolate();
    expect(asked.view).toBe(0);
    for (let i = 0; i < 10; i++) a.refusesNow();
    await settle();
    expect(asked.view).toBe(1);
    advance(999);
    a.refusesNow();
    await settle();
    expect(asked.view).toBe(1);
    advance(1);
    a.refusesNow();
    await settle();
    expect(asked.view).toBe(2);
  });

  it("reports failures, and successes only when they change something", async () => {
    const { asked, isolate } = world();
    const a = isolate();
    for (let i = 0; i < 3; i++) (await a.acquire(LEASE))!.success();
    await settle();
    expect(asked.report).toEqual([]);
    (await a.acquire(LEASE))!.failure();
    (await a.acquire(LEASE))!.success();
    (await a.acquire(LEASE))!.success();
    await settle();
    expect(asked.report).toEqual([{ outcome: "failure", probe: false }, { outcome: "success" }]);
  });

  it("grants the half-open probe to exactly one caller fleet-wide; its success closes the circuit everywhere", async () => {
    const { fleet, asked, isolate, advance } = world();
    const a = isolate();
    const b = isolate();
    await failTimes(a, 3);
    b.refusesNow();
    await settle();
    advance(30_000);
    const permits = await Promise.all([a.acquire(LEASE), a.acquire(LEASE), b.acquire(LEASE), b.acquire(LEASE)]);
    const granted = permits.filter((p): p is Permit => p !== null);
    expect(granted.map((p) => p.grant)).toEqual(["probe"]);
    expect(asked.probe).toBe(2); // one question per isolate; the second caller of each was refused locally
    const loser = permits[0] ? b : a;
    expect(loser.refusesNow()).toBe(true); // the lease is someone else's
    granted[0]!.success();
    await settle();
    expect(fleet.view().opened).toBe(false);
    advance(1_000);
    loser.refusesNow();
    await settle();
    expect((await loser.acquire(LEASE))?.grant).toBe("call");
  });

  it("re-opens everywhere for twice as long after a failed probe", async () => {
    const { isolate, advance } = world();
    const a = isolate();
    const b = isolate();
    await failTimes(a, 3);
    advance(30_000);
    const probe = await a.acquire(LEASE);
    expect(probe?.grant).toBe("probe");
    probe!.failure();
    await settle();
    b.refusesNow();
    await settle();
    expect(b.refusesNow()).toBe(true);
    expect(b.retryInMs()).toBe(60_000);
  });

  it("gives the probe to another caller when the prober vanishes without a verdict (the lease expires)", async () => {
    const { isolate, advance } = world();
    const a = isolate();
    const b = isolate();
    await failTimes(a, 3);
    b.refusesNow();
    await settle();
    advance(30_000);
    expect((await a.acquire({ leaseMs: 5_000 }))?.grant).toBe("probe"); // never settled
    expect(await b.acquire({ leaseMs: 5_000 })).toBeNull();
    advance(5_000);
    expect((await b.acquire({ leaseMs: 5_000 }))?.grant).toBe("probe");
  });

  it("drops a view older than one already applied", async () => {
    const { fleet, isolate } = world();
    const a = isolate();
    const stale = structuredClone(fleet.view());
    await failTimes(a, 3);
    expect(a.refusesNow()).toBe(true);
    (a as unknown as { apply(view: unknown): void }).apply(stale);
    expect(a.refusesNow()).toBe(true);
  });

  it("cuts a watched call short when the circuit opens while it runs", async () => {
    const { isolate, advance } = world();
    const a = isolate();
    const b = isolate();
    const call = await b.acquire({ ...LEASE, watch: true });
    expect(call?.signal?.aborted).toBe(false);
    await failTimes(a, 3);
    advance(1_000); // b's watcher may ask for a view again
    const reason = await new Promise((resolve) => call!.signal!.addEventListener("abort", () => resolve(call!.signal!.reason)));
    expect(reason).toBe("circuit_open");
    call!.release();
  });

  describe("when the health object fails", () => {
    function broken(kind: "throws" | "hangs") {
      let now = 0;
      const fail = () => (kind === "throws" ? Promise.reject(new Error("object unreachable")) : new Promise<never>(() => {}));
      const link: HealthLink = { view: fail, report: fail, acquireProbe: fail };
      const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
      return { breaker: new SharedBreaker({ link, clock: () => now, name: "test" }), warn, advance: (ms: number) => (now += ms) };
    }

    it("works alone as a local breaker: opens, probes, recovers, and never throws", async () => {
      const { breaker, warn, advance } = broken("throws");
      await failTimes(breaker, 3);
      expect(breaker.refusesNow()).toBe(true);
      expect(await breaker.acquire(LEASE)).toBeNull();
      advance(30_000);
      const probe = await breaker.acquire(LEASE);
      expect(probe?.grant).toBe("probe");
      probe!.success();
      expect(breaker.state()).toBe("closed");
      expect((await breaker.acquire(LEASE))?.grant).toBe("call");
      expect(warn).toHaveBeenCalledTimes(1);
    });

    it(`never waits on a hung object, except the probe, for at most ${PROBE_WAIT_MS} ms before probing alone`, async () => {
      const { breaker, advance } = broken("hangs");
      expect((await breaker.acquire(LEASE))?.grant).toBe("call");
      await failTimes(breaker, 2);
      (await breaker.acquire(LEASE))!.failure();
      expect(breaker.refusesNow()).toBe(true);
      advance(30_000);
      expect((await breaker.acquire(LEASE))?.grant).toBe("probe");
    });
  });
});
