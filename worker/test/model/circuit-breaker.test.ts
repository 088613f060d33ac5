/** The breaker's states with a manual clock. */
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../../src/model/nvidia/circuit-breaker.ts";

function breaker() {
  let now = 0;
  const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, maxCooldownMs: 3_000 }, () => now);
  return { b, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures; a success in between resets the count", () => {
    const { b } = breaker();
    b.failure();
    b.failure();
    b.success();
    b.failure();
    b.failure();
    expect(b.state()).toBe("closed");
    b.failure();
    expect(b.state()).toBe("open");
    expect(b.tryAcquire()).toBe(false);
  });
  it("lets one probe through after the cooldown; success closes, failure doubles the cooldown up to the cap", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    advance(1_000);
    expect(b.state()).toBe("half_open");
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.failure();
    advance(1_999);
    expect(b.state()).toBe("open");
    advance(1);
    expect(b.tryAcquire()).toBe(true);
    b.failure();
    advance(3_000);
    expect(b.tryAcquire()).toBe(true);
    b.success();
    expect(b.state()).toBe("closed");
    expect(b.tryAcquire()).toBe(true);
  });
  it("ignores late failures of calls started before it opened, and frees the probe on release", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.failure();
    b.failure();
    advance(1_000);
    expect(b.state()).toBe("half_open");
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(b.tryAcquire()).toBe(true);
  });
});
