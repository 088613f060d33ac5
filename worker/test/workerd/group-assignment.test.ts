/**
 * Server-side group assignment: a newcomer without a group is assigned by permuted blocks of
 * varying size through the GroupAssigner object of the client's location, so arms stay
 * balanced per location (|control − treatment| ≤ 3 at every moment), and a client-named group
 * is used only where ALLOW_CLIENT_GROUP is on (it is, in this project; the default is tested in
 * test/workerd-study/).
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { groupAssignerFor } from "../../src/durable/group-assigner.ts";
import type { Env } from "../../src/env.ts";
import { startInterview } from "./socket-client.ts";

const assigner = (location: string) => groupAssignerFor(env as unknown as Env, location);
const remainingOf = (location: string) =>
  runInDurableObject(assigner(location), (_instance, state) => state.storage.kv.get<string[]>("block") ?? []);

describe("group assignment", () => {
  it("assigns group-less newcomers in balance, a new participant each, and says it did", async () => {
    let diff = 0;
    const participants = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const { socket, started } = await startInterview();
      expect(started).toMatchObject({ groupAssignment: "server", clientGroup: null });
      participants.add(started.participantId as string);
      diff += started.group === "control" ? 1 : -1;
      expect(Math.abs(diff)).toBeLessThanOrEqual(3);
      socket.close();
    }
    expect(participants.size).toBe(8);
  });

  it("keeps the client's choice where client groups are allowed, and says so", async () => {
    const { socket, started } = await startInterview({ group: "control" });
    expect(started).toMatchObject({ group: "control", groupAssignment: "client", clientGroup: "used" });
    socket.close();
  });
});

describe("group assigners per location", () => {
  it("each location draws from its own blocks", async () => {
    expect(await remainingOf("SFO")).toEqual([]);
    await assigner("LHR").assign();
    // A block of 2, 4 or 6 was opened in LHR and one arm taken; SFO's store is untouched.
    expect([1, 3, 5]).toContain((await remainingOf("LHR")).length);
    expect(await remainingOf("SFO")).toEqual([]);
  });

  it("keeps |control − treatment| ≤ 3 at every moment, level at every block's end, with blocks of varying size", async () => {
    const location = "AMS";
    let diff = 0;
    const sizes = new Set<number>();
    let opened = true;
    for (let i = 0; i < 60; i++) {
      const group = await assigner(location).assign();
      const left = (await remainingOf(location)).length;
      if (opened) sizes.add(left + 1);
      diff += group === "control" ? 1 : -1;
      expect(Math.abs(diff)).toBeLessThanOrEqual(3);
      if (left === 0) expect(diff).toBe(0);
      opened = left === 0;
    }
    // About 15 blocks: all of one size would have odds of about 3 in 14 million.
    expect(sizes.size).toBeGreaterThan(1);
    for (const size of sizes) expect([2, 4, 6]).toContain(size);
  });
});
