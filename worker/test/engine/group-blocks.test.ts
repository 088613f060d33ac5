/**
 * Permuted blocks of varying size: every block balanced, every size and order reachable, and
 * the balance guarantee (|control − treatment| ≤ 3 at every moment, 0 at block boundaries)
 * checked exhaustively over every chain of blocks up to 14 assignments and along long random
 * runs; plus what an observer who sees every arm can predict, against fixed blocks of four.
 */
import { describe, expect, it } from "vitest";
import { ASSIGNMENT_BLOCK_SIZES, MAX_ARM_IMBALANCE, newBlock, nextAssignment } from "../../src/engine/group-blocks.ts";
import { seededRandom } from "../helpers/seeded-random.ts";

type Group = "control" | "treatment";


/** Every ordering of a balanced block of `size` (what Fisher-Yates can produce). */
function orderings(size: number): Group[][] {
  const out: Group[][] = [];
  const walk = (prefix: Group[], c: number, t: number) => {
    if (c === 0 && t === 0) out.push(prefix);
    if (c > 0) walk([...prefix, "control"], c - 1, t);
    if (t > 0) walk([...prefix, "treatment"], c, t - 1);
  };
  walk([], size / 2, size / 2);
  return out;
}

describe("group blocks", () => {
  it("draws sizes 2, 4 and 6, each block holding as many of each arm, every ordering reachable", () => {
    const random = seededRandom(1);
    const sizes = new Map<number, number>();
    const seen = new Map<number, Set<string>>();
    for (let i = 0; i < 6_000; i++) {
      const block = newBlock(random);
      expect(block.filter((g) => g === "control")).toHaveLength(block.length / 2);
      sizes.set(block.length, (sizes.get(block.length) ?? 0) + 1);
      if (!seen.has(block.length)) seen.set(block.length, new Set());
      seen.get(block.length)!.add(block.join(","));
    }
    expect([...sizes.keys()].sort()).toEqual([...ASSIGNMENT_BLOCK_SIZES]);
    // Each size about a third of the time (2,000 expected; 5 sigma is about 180).
    for (const n of sizes.values()) expect(Math.abs(n - 2_000)).toBeLessThan(250);
    // 2, 6 and 20 orderings: all of them.
    for (const size of ASSIGNMENT_BLOCK_SIZES) expect(seen.get(size)!.size).toBe(orderings(size).length);
  });

  it("keeps every index in range, whatever the random source returns in [0, 1)", () => {
    for (const r of [0, 0.5, 1 - 2 ** -32, 1 - Number.EPSILON]) {
      const block = newBlock(() => r);
      expect(ASSIGNMENT_BLOCK_SIZES).toContain(block.length);
      expect(block.every((g) => g === "control" || g === "treatment")).toBe(true);
    }
  });

  it("guarantees |control − treatment| ≤ 3 after every assignment and 0 at every block boundary, for every chain of blocks (exhaustive to 14)", () => {
    expect(MAX_ARM_IMBALANCE).toBe(3);
    let chains = 0;
    let worst = 0;
    const walk = (length: number, diff: number) => {
      chains++;
      if (length >= 14) return;
      for (const size of ASSIGNMENT_BLOCK_SIZES) {
        for (const order of orderings(size)) {
          let d = diff;
          for (const g of order) {
            d += g === "control" ? 1 : -1;
            worst = Math.max(worst, Math.abs(d));
            if (Math.abs(d) > MAX_ARM_IMBALANCE) throw new Error(`imbalance ${d} in ${order.join(",")}`);
          }
          expect(d).toBe(0);
          walk(length + size, d);
        }
      }
    };
    walk(0, 0);
    expect(chains).toBeGreaterThan(100_000);
    // The bound is tight: a block of six can open with three of one arm.
    expect(worst).toBe(3);
  });

  it("holds the guarantee along long chained runs through nextAssignment, whatever the seed", () => {
    for (const seed of [3, 4, 5, 6, 7]) {
      const random = seededRandom(seed);
      let remaining: Group[] = [];
      let diff = 0;
      let sinceLevel = 0;
      for (let i = 1; i <= 20_000; i++) {
        const next = nextAssignment(remaining, random);
        remaining = next.remaining;
        diff += next.group === "control" ? 1 : -1;
        expect(Math.abs(diff)).toBeLessThanOrEqual(MAX_ARM_IMBALANCE);
        sinceLevel = diff === 0 ? 0 : sinceLevel + 1;
        // Level again at the latest after a whole block of six.
        expect(sinceLevel).toBeLessThan(6);
        if (remaining.length === 0) expect(diff).toBe(0);
      }
    }
  });

  /**
   * The share of assignments an observer who has seen every earlier arm of the assigner (and
   * knows the scheme) can name for certain: it tracks every block state consistent with what it
   * saw, and is certain when all of them allow one arm only.
   */
  function certainShare(sizes: readonly number[], draw: () => Group, n: number): number {
    let states = new Set(["0,0"]);
    let certain = 0;
    for (let i = 0; i < n; i++) {
      const possible = new Set<Group>();
      for (const s of states) {
        const [c, t] = s.split(",").map(Number) as [number, number];
        if (c === 0 && t === 0) possible.add("control").add("treatment");
        if (c > 0) possible.add("control");
        if (t > 0) possible.add("treatment");
      }
      if (possible.size === 1) certain++;
      const arm = draw();
      const next = new Set<string>();
      for (const s of states) {
        const [c, t] = s.split(",").map(Number) as [number, number];
        const candidates = c === 0 && t === 0 ? sizes.map((k) => [k / 2, k / 2] as const) : [[c, t] as const];
        for (const [x, y] of candidates) {
          if (arm === "control" && x > 0) next.add(`${x - 1},${y}`);
          if (arm === "treatment" && y > 0) next.add(`${x},${y - 1}`);
        }
      }
      states = next;
    }
    return certain / n;
  }

  it("leaves the next arm certain far less often than fixed blocks of four did (about 4% against 33%)", () => {
    const random = seededRandom(11);
    let remaining: Group[] = [];
    const varying = certainShare(ASSIGNMENT_BLOCK_SIZES, () => {
      const next = nextAssignment(remaining, random);
      remaining = next.remaining;
      return next.group;
    }, 30_000);
    let fixed: Group[] = [];
    const fixedRandom = seededRandom(12);
    const fixedFour = certainShare([4], () => {
      if (fixed.length === 0) fixed = orderings(4)[Math.floor(fixedRandom() * 6)]!.slice();
      return fixed.shift()!;
    }, 30_000);
    expect(fixedFour).toBeGreaterThan(0.3);
    expect(varying).toBeLessThan(0.06);
    expect(varying).toBeGreaterThan(0.02);
  });
});
