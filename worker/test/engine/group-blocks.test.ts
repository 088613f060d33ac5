/** Block randomisation: balance within every block, all orders reachable, blocks chained. */
import { describe, expect, it } from "vitest";
import { newBlock, nextAssignment } from "../../src/engine/group-blocks.ts";

function seeded(seed: number): () => number {
  // mulberry32: a tiny deterministic generator for reproducible shuffles.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("group blocks", () => {
  it("every block holds two of each arm", () => {
    const random = seeded(1);
    for (let i = 0; i < 200; i++) {
      const block = newBlock(random);
      expect(block.filter((g) => g === "control")).toHaveLength(2);
      expect(block.filter((g) => g === "treatment")).toHaveLength(2);
    }
  });

  it("reaches all six orderings", () => {
    const random = seeded(7);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) seen.add(newBlock(random).join(","));
    expect(seen.size).toBe(6);
  });

  it("chains blocks so the arms never differ by more than two", () => {
    const random = seeded(3);
    let remaining: ("control" | "treatment")[] = [];
    let diff = 0;
    for (let i = 1; i <= 1_000; i++) {
      const next = nextAssignment(remaining, random);
      remaining = next.remaining;
      diff += next.group === "control" ? 1 : -1;
      expect(Math.abs(diff)).toBeLessThanOrEqual(2);
      if (i % 4 === 0) expect(diff).toBe(0);
    }
  });
});
