/**
 * Server-side group assignment: sessions that send no group are assigned by block
 * randomisation through the GroupAssigner object of the client's location, so arms stay balanced.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { groupAssignerFor } from "../../src/durable/group-assigner.ts";
import type { Env } from "../../src/env.ts";
import { startInterview } from "./socket-client.ts";

describe("group assignment", () => {
  it("assigns 8 group-less sessions 4 to control and 4 to treatment, and says it did", async () => {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { socket, started } = await startInterview();
      expect(started.groupAssignment).toBe("server");
      groups.push(started.group);
      socket.close();
    }
    expect(groups.filter((g) => g === "control")).toHaveLength(4);
    expect(groups.filter((g) => g === "treatment")).toHaveLength(4);
  });

  it("keeps the client's choice", async () => {
    const { socket, started } = await startInterview({ group: "control" });
    expect(started).toMatchObject({ group: "control", groupAssignment: "client" });
    socket.close();
  });
});

describe("group assigners per location", () => {
  it("each location balances its own blocks, independently of the others", async () => {
    const draw = async (location: string, n: number) => {
      const groups: string[] = [];
      for (let i = 0; i < n; i++) groups.push(await groupAssignerFor(env as unknown as Env, location).assign());
      return groups;
    };
    // Two assignments in one location, then a whole block elsewhere, then the first block's rest.
    const lhrStart = await draw("LHR", 2);
    const sfo = await draw("SFO", 4);
    const lhrRest = await draw("LHR", 2);
    for (const block of [sfo, [...lhrStart, ...lhrRest]]) {
      expect(block.filter((g) => g === "control")).toHaveLength(2);
      expect(block.filter((g) => g === "treatment")).toHaveLength(2);
    }
  });
});
