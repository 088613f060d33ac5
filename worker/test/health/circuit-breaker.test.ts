/** The breaker's states with a manual clock. */
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/health/circuit-breaker.ts";

function breaker() {
  let now = 0;
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 3_000 }, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures; a success in between resets the count", () => {
    const { b } = breaker();
    b.failure("call");
    b.failure("call");
    b.success();
    b.failure("call");
    b.failure("call");
    expect(b.state()).toBe("closed");
    b.failure("call");
    expect(b.state()).toBe("open");
    expect(b.acquire()).toBeNull();
    expect(b.refuses()).toBe(true);
  });

  it("lets one probe through after the cooldown; success closes, failure doubles the cooldown up to the cap", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure("call");
    expect(b.retryAt()).toBe(1_000);
    advance(1_000);
    expect(b.state()).toBe("half_open");
    expect(b.refuses()).toBe(false);
    expect(b.acquire()).toBe("probe");
    expect(b.acquire()).toBeNull();
    expect(b.refuses()).toBe(true);
    b.failure("probe");
    advance(1_999);
    expect(b.state()).toBe("open");
    advance(1);
    expect(b.acquire()).toBe("probe");
    b.failure("probe");
    advance(3_000);
    expect(b.acquire()).toBe("probe");
    b.success();
    expect(b.state()).toBe("closed");
    expect(b.acquire()).toBe("call");
  });

  it("ignores late failures of calls started before it opened, and frees the probe on release", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure("call");
    b.failure("call");
    advance(1_000);
    expect(b.state()).toBe("half_open");
    expect(b.acquire()).toBe("probe");
    b.release("probe");
    expect(b.acquire()).toBe("probe");
  });

  it("lets a probe lease expire, so a prober that vanished cannot hold the circuit half-open", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure("call");
    advance(1_000);
    expect(b.acquire(500)).toBe("probe");
    advance(499);
    expect(b.acquire(500)).toBeNull();
    expect(b.retryAt()).toBe(1_500);
    advance(1);
    expect(b.acquire(500)).toBe("probe");
  });

  it("round-trips its state as a snapshot and adopts another's, keeping its own probe lease", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure("call");
    const copy = new CircuitBreaker(undefined, () => 500, b.snapshot());
    expect(copy.state()).toBe("open");
    advance(1_000);
    expect(b.acquire(10_000)).toBe("probe");
    b.adopt({ opened: true, failures: 0, openUntil: 900, cooldownMs: 1_000, probeUntil: 0 });
    expect(b.probing()).toBe(true);
    expect(b.acquire()).toBeNull();
  });
});
