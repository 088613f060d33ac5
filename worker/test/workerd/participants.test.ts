/**
 * Participants over real sockets, the registry objects and D1 (ALLOW_CLIENT_GROUP is on in this
 * project; test/workerd-study/ runs the default): a participant keeps its arm across sockets
 * and restarts whatever a start names; an id never issued or registered is refused; the admin
 * route registers ids and fixes arms idempotently; two starts at once draw one arm; the start
 * policy (registered participants only, client groups off, registry down) through
 * `armForStart` with the deployment's switches; `/metrics/summary` counting participants and
 * client-assigned sessions.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { armForStart } from "../../src/durable/start-arm.ts";
import { participantFor } from "../../src/durable/participant.ts";
import { connect, startInterview, type TestSocket } from "./socket-client.ts";
import { ADMIN_TOKEN, asAdmin, bearer, call, postJson, replicated } from "./rest-client.ts";

const other = (group: unknown) => (group === "control" ? "treatment" : "control");
const ISSUED_ID = /^p_[A-Za-z0-9_-]{24}$/;

async function restart(socket: TestSocket, fields: Record<string, unknown> = {}) {
  socket.send({ type: "start_session", ...fields });
  const started = await socket.next("session_started");
  await socket.next("question");
  return started;
}

async function register(body: Record<string, unknown>) {
  const response = await asAdmin("/participants", postJson(body));
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("a participant's arm", () => {
  it("is issued with a new opaque id, and kept on later sockets whatever group they name", async () => {
    const first = await startInterview();
    const { participantId, group } = first.started;
    expect(participantId).toMatch(ISSUED_ID);
    expect(first.started).toMatchObject({ groupAssignment: "server", clientGroup: null });
    first.socket.close();
    for (const named of [other(group), group, null, other(group)]) {
      const later = await startInterview({ participantId, group: named });
      expect(later.started.session_id).not.toBe(first.started.session_id);
      expect(later.started).toMatchObject({
        participantId,
        group,
        groupAssignment: "server",
        clientGroup: named === null ? null : "participant_has_arm",
      });
      later.socket.close();
    }
  });

  it("survives restarts on the same socket: the same participant and arm, whatever the restart names", async () => {
    const { socket, started } = await startInterview();
    for (const named of [other(started.group), null, other(started.group), started.group]) {
      const again = await restart(socket, named === null ? {} : { group: named });
      expect(again.session_id).not.toBe(started.session_id);
      expect(again).toMatchObject({ participantId: started.participantId, group: started.group, groupAssignment: "server" });
    }
    socket.close();
  });

  it("is the client's group where allowed, recorded as client, and fixed from then on", async () => {
    const first = await startInterview({ group: "treatment", consent: true });
    expect(first.started).toMatchObject({ group: "treatment", groupAssignment: "client", clientGroup: "used" });
    const later = await startInterview({ participantId: first.started.participantId, group: "control", consent: true });
    expect(later.started).toMatchObject({ group: "treatment", groupAssignment: "client", clientGroup: "participant_has_arm" });
    for (const { started } of [first, later]) {
      const exported = await replicated(started.resumeToken as string, started.session_id);
      expect(exported.session).toMatchObject({ group_name: "treatment", group_assignment: "client", participant_id: first.started.participantId });
    }
    first.socket.close();
    later.socket.close();
  });

  it("refuses an id the registry never issued or registered, starts nothing, and keeps the socket", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    for (const participantId of ["never-issued", "p_AAAAAAAAAAAAAAAAAAAAAAAA", "has space", 42, "x".repeat(129)]) {
      socket.send({ type: "start_session", participantId, group: "control" });
      expect(await socket.next("error")).toMatchObject({ code: "unknown_participant" });
    }
    socket.send({ type: "user_answer", answer: "hello" });
    expect(await socket.next("error")).toMatchObject({ code: "no_session" });
    socket.send({ type: "ping" });
    await socket.next("pong");
    // An unknown id does not fall back to the running session's participant either.
    const started = await restart(socket);
    socket.send({ type: "start_session", participantId: "never-issued" });
    expect(await socket.next("error")).toMatchObject({ code: "unknown_participant" });
    expect((await restart(socket)).participantId).toBe(started.participantId);
    socket.close();
  });

  it("is drawn once when two starts of a registered participant arrive at once", async () => {
    const participantId = `race-${crypto.randomUUID()}`;
    expect((await register({ participantId })).status).toBe(201);
    const sockets = await Promise.all([connect(), connect(), connect()]);
    await Promise.all(sockets.map((s) => s.next("session_ready")));
    for (const s of sockets) s.send({ type: "start_session", participantId });
    const started = await Promise.all(sockets.map((s) => s.next("session_started")));
    expect(new Set(started.map((s) => s.group)).size).toBe(1);
    expect(started.every((s) => s.groupAssignment === "server")).toBe(true);
    const record = await participantFor(env as unknown as Env, participantId).record();
    expect(record).toMatchObject({ participantId, group: started[0]!.group, groupAssignment: "server", registeredBy: "admin" });
    for (const s of sockets) s.close();
  });
});

describe("POST /participants and GET /participants/:id", () => {
  it("need the admin token", async () => {
    for (const [path, init] of [["/participants", postJson({})], ["/participants/someone", {}]] as const) {
      expect((await call(path, init)).status).toBe(401);
      expect((await call(path, { ...init, headers: { ...(init as RequestInit).headers, ...bearer(`${ADMIN_TOKEN}x`) } })).status).toBe(403);
    }
  });

  it("register a study's id with a fixed arm, idempotently; another arm is a conflict, never a change", async () => {
    const participantId = `study-${crypto.randomUUID()}`;
    const created = await register({ participantId, group: "treatment" });
    expect(created).toMatchObject({
      status: 201,
      body: { participantId, group: "treatment", groupAssignment: "admin", registeredBy: "admin", created: true },
    });
    expect(created.body.assignedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await register({ participantId, group: "treatment" })).toMatchObject({ status: 200, body: { created: false, group: "treatment" } });
    expect(await register({ participantId })).toMatchObject({ status: 200, body: { created: false, group: "treatment" } });
    expect(await register({ participantId, group: "control" })).toMatchObject({ status: 409, body: { code: "participant_conflict" } });
    const { started, socket } = await startInterview({ participantId, group: "control" });
    expect(started).toMatchObject({ participantId, group: "treatment", groupAssignment: "admin", clientGroup: "participant_has_arm" });
    socket.close();
    const read = await asAdmin(`/participants/${participantId}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual({ ...created.body, created: undefined });
  });

  it("issue an id without an arm; the first session draws it, and it stays", async () => {
    const { status, body } = await register({});
    expect(status).toBe(201);
    expect(body).toMatchObject({ group: null, groupAssignment: null, assignedAt: null, registeredBy: "admin" });
    expect(body.participantId).toMatch(ISSUED_ID);
    const { started, socket } = await startInterview({ participantId: body.participantId });
    expect(started).toMatchObject({ participantId: body.participantId, groupAssignment: "server" });
    socket.close();
    const read = (await (await asAdmin(`/participants/${body.participantId}`)).json()) as Record<string, any>;
    expect(read).toMatchObject({ group: started.group, groupAssignment: "server" });
    expect(read.assignedAt).not.toBeNull();
    expect(await register({ participantId: body.participantId, group: other(started.group) })).toMatchObject({ status: 409 });
    expect(await register({ participantId: body.participantId, group: started.group })).toMatchObject({ status: 200 });
  });

  it("refuse bad ids and groups (400), and answer 404 for an id never issued", async () => {
    for (const body of [{ participantId: "has space" }, { participantId: "x".repeat(129) }, { participantId: 7 }, { group: "vip" }]) {
      expect(await register(body)).toMatchObject({ status: 400, body: { code: "validation_failed" } });
    }
    const unknown = await asAdmin("/participants/never-registered");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "unknown_participant" });
  });
});

describe("the start policy (armForStart) under the deployment's switches", () => {
  const base = env as unknown as Env;
  const request = { presented: null, previous: null, clientGroup: null, location: null } as const;

  it("REQUIRE_REGISTERED_PARTICIPANT: no id is refused, a known one (presented or the socket's previous) starts", async () => {
    const strict: Env = { ...base, REQUIRE_REGISTERED_PARTICIPANT: "true" };
    expect(await armForStart(strict, request)).toMatchObject({ ok: false, refusal: { type: "error", code: "participant_required" } });
    const { body } = await register({ group: "control" });
    expect(await armForStart(strict, { ...request, presented: body.participantId })).toMatchObject({
      ok: true,
      arm: { participantId: body.participantId, group: "control", groupAssignment: "admin" },
    });
    expect(await armForStart(strict, { ...request, previous: body.participantId })).toMatchObject({ ok: true, arm: { group: "control" } });
    expect(await armForStart(strict, { ...request, presented: "never-issued" })).toMatchObject({ ok: false, refusal: { code: "unknown_participant" } });
  });

  it("ALLOW_CLIENT_GROUP off: a newcomer's named group is not used, and the answer says so", async () => {
    for (const value of [undefined, "false", "no", ""]) {
      const outcome = await armForStart({ ...base, ALLOW_CLIENT_GROUP: value }, { ...request, clientGroup: "treatment" });
      expect(outcome).toMatchObject({ ok: true, arm: { groupAssignment: "server", clientGroup: "not_allowed" } });
    }
    expect(await armForStart({ ...base, ALLOW_CLIENT_GROUP: " TRUE " }, { ...request, clientGroup: "treatment" })).toMatchObject({
      ok: true,
      arm: { group: "treatment", groupAssignment: "client", clientGroup: "used" },
    });
  });

  it("refuses the start (unavailable) rather than guess an arm when the registry cannot be reached", async () => {
    const broken = {
      idFromName: () => base.PARTICIPANT.idFromName("x"),
      get: () => ({ armFor: () => Promise.reject(new Error("registry down (test)")) }),
    } as unknown as Env["PARTICIPANT"];
    expect(await armForStart({ ...base, PARTICIPANT: broken }, request)).toMatchObject({ ok: false, refusal: { code: "unavailable" } });
  });
});

describe("GET /metrics/summary and participants", () => {
  it("counts each participant once per arm, reports client-assigned sessions, and leaves them out on request", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const fields = { consent: true, pack: "leadership", style: "supportive" };
    const play = async (start: Record<string, unknown>, speakingRate: number) => {
      const { socket, started } = await startInterview({ ...fields, ...start });
      socket.send({ type: "user_answer", answer: "I led a team of five through a migration and we shipped on time.", metrics: { speakingRate } });
      await socket.next("tips");
      await replicated(started.resumeToken as string, started.session_id);
      socket.close();
      return started;
    };
    // A chose control itself (allowed here), twice; B's arm was fixed by the study.
    const a = await play({ group: "control" }, 100);
    await play({ participantId: a.participantId }, 140);
    const { body: b } = await register({ group: "treatment" });
    await play({ participantId: b.participantId, group: "control" }, 130);
    const query = `from=${since}&to=${new Date(Date.now() + 1000).toISOString()}&pack=leadership&style=supportive`;
    const summary = (await (await asAdmin(`/metrics/summary?${query}`)).json()) as Record<string, any>;
    expect(summary.groups.control).toMatchObject({ n_sessions: 2, n_participants: 1, n_answers: 2, avg_speaking_rate: 120 });
    expect(summary.groups.treatment).toMatchObject({ n_sessions: 1, n_participants: 1, avg_speaking_rate: 130 });
    expect(summary.per_participant.speaking_rate.control).toMatchObject({ n: 1, mean: 120 });
    expect(summary.per_session.speaking_rate.control).toMatchObject({ n: 2 });
    expect(summary.client_assigned).toEqual({ n_sessions: 2, n_participants: 1, excluded: false });
    const without = (await (await asAdmin(`/metrics/summary?${query}&excludeClientAssigned=true`)).json()) as Record<string, any>;
    expect(without.groups.control).toMatchObject({ n_sessions: 0, n_participants: 0, n_answers: 0 });
    expect(without.groups.treatment).toMatchObject({ n_sessions: 1, n_participants: 1 });
    expect(without.client_assigned).toEqual({ n_sessions: 2, n_participants: 1, excluded: true });
    const bad = await asAdmin(`/metrics/summary?excludeClientAssigned=maybe`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "validation_failed" });
  });
});
