/**
 * A participant's arm, without I/O: a participant keeps its arm whatever a start names; a
 * client's group becomes a newcomer's arm only where allowed; registration is idempotent and
 * never changes an arm. And the engine puts the registry's answer, not the frame's group, on
 * the session: its state, its session row and `session_started`.
 */
import { describe, expect, it } from "vitest";
import type { PersistRecord, ServerMessage } from "@interview/shared";
import { decideArm, newParticipantRecord, register, withArm } from "../../src/engine/participant-arm.ts";
import { initialState, reduce } from "../../src/engine/engine.ts";
import type { StartArm } from "../../src/engine/types.ts";

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const fresh = () => newParticipantRecord("p_1", "server", T0);
const assigned = (group: "control" | "treatment", how: "server" | "client" | "admin") => withArm(fresh(), group, how, T0 + 1);

describe("decideArm", () => {
  it("a participant with an arm keeps it, and says so when the client named a group", () => {
    for (const allowClientGroup of [true, false]) {
      for (const how of ["server", "client", "admin"] as const) {
        const record = assigned("control", how);
        expect(decideArm(record, { clientGroup: null, allowClientGroup })).toEqual({
          kind: "keep",
          group: "control",
          groupAssignment: how,
          clientGroup: null,
        });
        for (const clientGroup of ["treatment", "control"] as const) {
          expect(decideArm(record, { clientGroup, allowClientGroup })).toEqual({
            kind: "keep",
            group: "control",
            groupAssignment: how,
            clientGroup: "participant_has_arm",
          });
        }
      }
    }
  });

  it("a newcomer's arm is drawn, unless it named a group where client groups are allowed", () => {
    expect(decideArm(fresh(), { clientGroup: null, allowClientGroup: false })).toEqual({ kind: "draw", clientGroup: null });
    expect(decideArm(fresh(), { clientGroup: null, allowClientGroup: true })).toEqual({ kind: "draw", clientGroup: null });
    expect(decideArm(fresh(), { clientGroup: "treatment", allowClientGroup: false })).toEqual({ kind: "draw", clientGroup: "not_allowed" });
    expect(decideArm(fresh(), { clientGroup: "treatment", allowClientGroup: true })).toEqual({
      kind: "client",
      group: "treatment",
      clientGroup: "used",
    });
  });

  it("an arm once set is never replaced", () => {
    expect(() => withArm(assigned("control", "server"), "treatment", "admin", T0)).toThrow(/already has the arm control/);
  });
});

describe("register (POST /participants)", () => {
  it("creates a participant without an arm, and a repeat changes nothing", () => {
    const first = register(null, "study-7", null, T0);
    expect(first).toEqual({
      ok: true,
      created: true,
      changed: true,
      record: { participantId: "study-7", registeredBy: "admin", registeredAt: T0, group: null, groupAssignment: null, assignedAt: null },
    });
    if (!first.ok) throw new Error("unreachable");
    expect(register(first.record, "study-7", null, T0 + 5)).toEqual({ ok: true, created: false, changed: false, record: first.record });
  });

  it("fixes the arm once (admin), repeats are no-ops, another arm is a conflict", () => {
    const fixed = register(null, "study-8", "treatment", T0);
    expect(fixed).toMatchObject({ ok: true, created: true, record: { group: "treatment", groupAssignment: "admin", assignedAt: T0 } });
    if (!fixed.ok) throw new Error("unreachable");
    expect(register(fixed.record, "study-8", "treatment", T0 + 1)).toMatchObject({ ok: true, created: false, changed: false });
    expect(register(fixed.record, "study-8", null, T0 + 1)).toMatchObject({ ok: true, created: false, changed: false });
    expect(register(fixed.record, "study-8", "control", T0 + 1)).toEqual({ ok: false, code: "participant_conflict", record: fixed.record });
  });

  it("fixes the arm of a registered participant that has none yet, and refuses to change a drawn one", () => {
    const open = register(null, "study-9", null, T0);
    if (!open.ok) throw new Error("unreachable");
    expect(register(open.record, "study-9", "control", T0 + 2)).toMatchObject({
      ok: true,
      created: false,
      changed: true,
      record: { group: "control", groupAssignment: "admin", assignedAt: T0 + 2, registeredAt: T0 },
    });
    const drawn = withArm(open.record, "treatment", "server", T0 + 3);
    expect(register(drawn, "study-9", "control", T0 + 4)).toMatchObject({ ok: false, code: "participant_conflict" });
  });
});

describe("the engine takes the registry's arm", () => {
  function start(fields: Record<string, unknown>, arm: StartArm) {
    const { effects, state } = reduce(
      initialState("ready"),
      {
        kind: "start",
        message: { type: "start_session", consent: true, ...fields } as never,
        mint: { sessionId: "s-1", objectId: "o-1", resumeToken: "o-1.t", resumeTokenHash: "h", arm, turnCap: null },
      },
      { now: T0, random: () => 0 },
    );
    const sent = effects.flatMap((e) => (e.kind === "send" ? [e.message] : [])) as (ServerMessage & Record<string, unknown>)[];
    const rows = effects.flatMap((e) => (e.kind === "persist" ? [e.record] : [])) as PersistRecord[];
    return { started: sent[0]!, session: rows.find((r) => r.kind === "session")!, state };
  }

  it("a client group the registry did not use is not the session's group, and session_started says why", () => {
    const { started, session, state } = start(
      { group: "treatment" },
      { participantId: "p_abc", group: "control", groupAssignment: "server", clientGroup: "not_allowed" },
    );
    expect(started).toMatchObject({
      type: "session_started",
      group: "control",
      groupAssignment: "server",
      participantId: "p_abc",
      clientGroup: "not_allowed",
    });
    expect(session).toMatchObject({ kind: "session", group: "control", groupAssignment: "server", participantId: "p_abc" });
    expect(state.session).toMatchObject({ group: "control", groupAssignment: "server", participantId: "p_abc" });
  });

  it("without consent tells the client its participant id but keeps it off the session row", () => {
    const { started, session, state } = start(
      { consent: false },
      { participantId: "p_abc", group: "control", groupAssignment: "server", clientGroup: null },
    );
    expect(started).toMatchObject({ participantId: "p_abc", consent: false });
    expect(session).toMatchObject({ kind: "session", consented: false, participantId: null, group: "control" });
    // The object still knows it, so a restart on this socket stays the same participant.
    expect(state.session?.participantId).toBe("p_abc");
  });

  it("records a participant's kept arm with its origin", () => {
    const { started, session } = start(
      { group: "control" },
      { participantId: "study-7", group: "treatment", groupAssignment: "admin", clientGroup: "participant_has_arm" },
    );
    expect(started).toMatchObject({ group: "treatment", groupAssignment: "admin", participantId: "study-7", clientGroup: "participant_has_arm" });
    expect(session).toMatchObject({ group: "treatment", groupAssignment: "admin", participantId: "study-7" });
  });
});
