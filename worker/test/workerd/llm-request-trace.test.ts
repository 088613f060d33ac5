/**
 * The interview object's log lines carry the id of the socket's upgrade request: a turn whose
 * model call failed logs `model_fallback` with the same `requestId` as the Worker's request
 * line for the upgrade, whether the client sent the id or the Worker chose it. An answer that
 * reaches the object over RPC (the audio-answer route) carries the route's request id instead.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { interviewOfToken } from "../../src/durable/interview-stub.ts";
import { resetFake, scriptFake } from "./llm-fake-control.ts";
import { connect } from "./socket-client.ts";

beforeEach(() => resetFake());
afterEach(() => vi.restoreAllMocks());

type Line = Record<string, unknown>;

function lines(spy: { mock: { calls: unknown[][] } }): Line[] {
  return spy.mock.calls
    .map((args) => String(args[0]))
    .filter((text) => text.startsWith("{"))
    .map((text) => JSON.parse(text) as Line);
}

async function fallbackTurn(headers: Record<string, string>) {
  await scriptFake([{ reply: { status: 500 } }]);
  const socket = await connect("", headers);
  await socket.next("session_ready");
  socket.send({ type: "start_session", group: "control" });
  await socket.next("session_started");
  const question = await socket.next("question");
  socket.close();
  return question;
}

describe("request id in the interview object's logs", () => {
  it("the client's x-request-id: the upgrade's line and the object's model_fallback line", async () => {
    const log = vi.spyOn(console, "log");
    const warn = vi.spyOn(console, "warn");
    const id = `trace-${crypto.randomUUID()}`;
    const question = await fallbackTurn({ "x-request-id": id });
    expect(question.source).toBe("fallback");
    expect(lines(log)).toContainEqual(expect.objectContaining({ event: "request", requestId: id, path: "/ws/interview", status: 101 }));
    const fallbacks = lines(warn).filter((l) => l.event === "model_fallback");
    expect(fallbacks.length).toBeGreaterThan(0);
    for (const line of fallbacks) expect(line).toMatchObject({ requestId: id, sessionId: expect.any(String) });
  });

  it("no id from the client: the object logs the one the Worker chose", async () => {
    const log = vi.spyOn(console, "log");
    const warn = vi.spyOn(console, "warn");
    await fallbackTurn({});
    const upgrade = lines(log).find((l) => l.event === "request" && l.path === "/ws/interview");
    expect(upgrade?.requestId).toMatch(/^[\w-]+$/);
    expect(lines(warn).filter((l) => l.event === "model_fallback").map((l) => l.requestId)).toContain(upgrade?.requestId);
  });

  it("an answer over RPC (as the audio-answer route sends it): the object's lines carry the route's request id", async () => {
    const socket = await connect();
    await socket.next("session_ready");
    socket.send({ type: "start_session", group: "control" });
    const started = await socket.next("session_started");
    const question = await socket.next("question");
    await scriptFake([{ reply: { status: 500 } }]);
    const warn = vi.spyOn(console, "warn");
    const id = `trace-rpc-${crypto.randomUUID()}`;
    const object = interviewOfToken(env, started.resumeToken as string)!;
    const outcome = await object.submitAnswer(
      started.session_id as string,
      "I profiled the service, found an N+1 query and cut p99 from 900 ms to 120 ms.",
      { speakingRate: 130, pauseRatio: 0.1, fillers: 0 },
      question.turn as number,
      [],
      { requestId: id },
    );
    expect(outcome).toMatchObject({ ok: true });
    await socket.next("tips");
    const fallbacks = lines(warn).filter((l) => l.event === "model_fallback");
    expect(fallbacks.length).toBeGreaterThan(0);
    for (const line of fallbacks) expect(line).toMatchObject({ requestId: id, sessionId: started.session_id });
    socket.close();
  });
});
