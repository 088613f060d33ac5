/**
 * Server-side group assignment: sessions that send no group are assigned by block
 * randomisation through the one GroupAssigner object, so arms stay balanced.
 */
import { describe, expect, it } from "vitest";
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
