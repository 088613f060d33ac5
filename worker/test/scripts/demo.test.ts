/**
 * `scripts/demo.mjs` as a process against a scripted WebSocket server on loopback: with the
 * built-in WebSocket, and with it switched off (`--no-experimental-websocket`, as on Node 20,
 * which has none), where the demo falls back to the `ws` package. With a Node 20 on PATH
 * (`/usr/bin/node`), that one runs it too.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";

const root = path.resolve(import.meta.dirname, "../../..");
const demo = path.join(root, "scripts", "demo.mjs");
let server: WebSocketServer;
let url: string;

/** Just enough of the protocol for the demo's script. */
function play(socket: WebSocket): void {
  const send = (message: Record<string, unknown>) => socket.send(JSON.stringify(message));
  let turn = 0;
  let maxQuestions = 0;
  const question = () => send({ type: "question", turn, question: `Question ${turn}?`, style: "supportive", source: "fallback", preface: null });
  send({ type: "session_ready", session_id: "ready", style: "neutral", protocol: 1 });
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as { type: string; maxQuestions?: number };
    if (message.type === "start_session") {
      maxQuestions = message.maxQuestions ?? 4;
      send({ type: "session_started", session_id: "s-1", group: "treatment", groupAssignment: "server", adjusted: [] });
      question();
    } else if (message.type === "user_clarification") {
      send({ type: "clarification", message: "Yes, a side project is fine.", source: "fallback" });
    } else if (message.type === "user_answer") {
      send({ type: "tips", turn, items: [{ summary: "Keep", detail: "going" }] });
      turn++;
      if (turn >= maxQuestions) send({ type: "session_ended", reason: "max_questions", message: "Thanks, that is all." });
      else question();
    } else if (message.type === "checkin") {
      send({ type: "checkin_logged" });
    }
  });
}

beforeAll(async () => {
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", play);
  await new Promise((resolve) => server.once("listening", resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/interview`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

async function runDemo(node: string, flags: string[] = []) {
  return promisify(execFile)(node, [...flags, demo, url], { cwd: root, timeout: 30_000 });
}

function expectPlayed(stdout: string) {
  expect(stdout).toContain("session_started s-1 group=treatment (server)");
  expect(stdout).toContain("[clarification: fallback]");
  expect(stdout).toContain("checkin_logged");
  expect(stdout).toContain("[session_ended: max_questions]");
}

describe("scripts/demo.mjs", { timeout: 40_000 }, () => {
  it("plays the interview with the built-in WebSocket", async () => {
    expectPlayed((await runDemo(process.execPath)).stdout);
  });

  it("falls back to the ws package where there is no global WebSocket (Node 20)", async () => {
    const probe = await promisify(execFile)(process.execPath, ["--no-experimental-websocket", "-e", "process.stdout.write(typeof WebSocket)"]);
    expect(probe.stdout).toBe("undefined");
    expectPlayed((await runDemo(process.execPath, ["--no-experimental-websocket"])).stdout);
  });

  it.runIf(existsSync("/usr/bin/node"))("runs with the system node too (v20 on the project's machines)", async () => {
    expectPlayed((await runDemo("/usr/bin/node")).stdout);
  });
});
