/**
 * The deployment defaults (wrangler.toml: ALLOW_CLIENT_GROUP = "false"; ENVIRONMENT "test",
 * so production rules), over real sockets: the measured ways of gaming the study are closed.
 * - Naming a group does not choose the arm: the server assigns, and `session_started` says
 *   the named group was not used.
 * - Re-sending `start_session` on one socket, or presenting the participant id on a new one,
 *   never draws a new arm.
 * - The records say how every arm was decided.
 */
import { describe, expect, it } from "vitest";
import { startInterview, type TestSocket } from "../workerd/socket-client.ts";
import { asAdmin, postJson, replicated } from "../workerd/rest-client.ts";

const other = (group: unknown) => (group === "control" ? "treatment" : "control");

async function restart(socket: TestSocket, fields: Record<string, unknown>) {
  socket.send({ type: "start_session", ...fields });
  const started = await socket.next("session_started");
  await socket.next("question");
  return started;
}

describe("with client groups off (the default)", () => {
  it("a named group is not used and the reply says so; arms stay balanced whatever clients name", async () => {
    let diff = 0;
    for (let i = 0; i < 10; i++) {
      const { socket, started } = await startInterview({ group: "treatment" });
      expect(started).toMatchObject({ groupAssignment: "server", clientGroup: "not_allowed" });
      diff += started.group === "control" ? 1 : -1;
      expect(Math.abs(diff)).toBeLessThanOrEqual(3);
      socket.close();
    }
  });

  it("re-sending start_session on the same socket keeps the arm (it used to draw a new one each time)", async () => {
    const { socket, started } = await startInterview({ consent: true });
    const sessions = [started];
    for (let i = 0; i < 6; i++) {
      const again = await restart(socket, { group: other(started.group), consent: true });
      expect(again).toMatchObject({
        participantId: started.participantId,
        group: started.group,
        groupAssignment: "server",
        clientGroup: "participant_has_arm",
      });
      sessions.push(again);
    }
    expect(new Set(sessions.map((s) => s.session_id)).size).toBe(7);
    const last = sessions[sessions.length - 1]!;
    const exported = await replicated(last.resumeToken as string, last.session_id);
    expect(exported.session).toMatchObject({ group_name: started.group, group_assignment: "server", participant_id: started.participantId });
    socket.close();
  });

  it("a participant presenting its id on new sockets keeps its arm, naming either group", async () => {
    const first = await startInterview();
    first.socket.close();
    for (const group of ["control", "treatment", "control", "treatment"]) {
      const { socket, started } = await startInterview({ participantId: first.started.participantId, group });
      expect(started).toMatchObject({ group: first.started.group, clientGroup: "participant_has_arm" });
      socket.close();
    }
  });

  it("a registered participant without an arm is drawn one even when it names a group", async () => {
    const response = await asAdmin("/participants", postJson({}));
    const { participantId } = (await response.json()) as { participantId: string };
    const { socket, started } = await startInterview({ participantId, group: "control" });
    expect(started).toMatchObject({ participantId, groupAssignment: "server", clientGroup: "not_allowed" });
    socket.close();
  });
});
