/**
 * The dev server killed and started again between turns, as a deploy restarts every object:
 * a real `wrangler dev` (the Worker bundled once, local state on disk), a client on Node's
 * WebSocket. The client resumes with the subprotocol token and `lastSeq`, re-sends the answer
 * it had no reply for with the same id, and ends with the conversation it would have had
 * without the restart; D1 holds each answer once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, bundle, startDev, writeRunConfig, type DevServer } from "../../bench/fleet/wrangler-dev.ts";

type Frame = { type: string; seq?: number; [key: string]: unknown };

/** A client that keeps the highest seq and fails on a gap or a repeat. */
class Client {
  private readonly inbox: Frame[] = [];
  private wake: (() => void) | null = null;
  lastSeq: number;
  error: string | null = null;

  private constructor(
    readonly ws: WebSocket,
    lastSeq: number,
  ) {
    this.lastSeq = lastSeq;
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      if (frame.seq !== undefined) {
        const expected = frame.type === "session_started" ? 1 : this.lastSeq + 1;
        if (frame.seq !== expected) this.error ??= `expected seq ${expected}, got ${frame.seq} (${frame.type})`;
        this.lastSeq = frame.seq;
      }
      this.inbox.push(frame);
      this.wake?.();
    });
  }

  static async open(url: string, protocols: string[] = [], lastSeq = 0): Promise<Client> {
    const ws = new WebSocket(url, protocols);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Client(ws, lastSeq);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next(): Promise<Frame> {
    const deadline = Date.now() + 60_000;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error("no frame within 60 s");
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 200);
      });
    }
    if (this.error) throw new Error(this.error);
    return this.inbox.shift()!;
  }

  async until(type: string): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      const frame = await this.next();
      frames.push(frame);
      if (frame.type === type) return frames;
    }
  }
}

const ANSWERS = [
  "I moved our billing jobs to a queue and cut p99 from 9 s to 400 ms.",
  "My part was the rollout: 3 stages behind a flag, over 2 weeks.",
  "Next time I would measure the queue depth from day one.",
];

describe("the dev server restarted between turns", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dev-restart-"));
  const persistDir = path.join(dir, "state");
  let config = "";
  let script = "";
  let server: DevServer | null = null;

  const start = async (n: number) => {
    server = await startDev({ config, script, persistDir, logFile: path.join(dir, `dev-${n}.log`) });
    return server;
  };

  beforeAll(async () => {
    config = writeRunConfig(dir);
    script = (await bundle(config, path.join(dir, "bundle"))).mainModule;
    await applyMigrations(config, persistDir);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loses nothing: the resumed client gets what it missed, its re-sent answer is applied once, D1 has each answer once", async () => {
    let dev = await start(1);
    const wsUrl = dev.url.replace("http", "ws") + "/ws/interview";
    const client = await Client.open(wsUrl);
    expect((await client.next()).type).toBe("session_ready");
    client.send({ type: "start_session", consent: true, maxQuestions: 3 });
    const started = (await client.until("question"))[0]!;
    expect(started.type).toBe("session_started");
    client.send({ type: "user_answer", id: "answer-1", answer: ANSWERS[0] });
    expect((await client.until("interviewer_message")).map((f) => f.type)).toEqual(["ack", "tips", "feedback", "question", "interviewer_message"]);

    // The second answer leaves, and the server goes down before the client sees any reply.
    client.send({ type: "user_answer", id: "answer-2", answer: ANSWERS[1] });
    const lastSeq = client.lastSeq;
    await dev.stop();
    dev = await start(2);

    const resumed = await Client.open(
      dev.url.replace("http", "ws") + `/ws/interview?lastSeq=${lastSeq}`,
      ["interview.v1", `resume.${String(started.resumeToken)}`],
      lastSeq,
    );
    expect(resumed.ws.protocol).toBe("interview.v1");
    const snapshot = await resumed.next();
    expect(snapshot).toMatchObject({ type: "session_resumed", session_id: started.session_id });
    // Whether answer-2 was applied before the stop or not, sending it again with its id makes
    // it applied exactly once; its replies come by replay or live, never twice.
    resumed.send({ type: "user_answer", id: "answer-2", answer: ANSWERS[1] });
    const afterResume = await resumed.until("question");
    const acks = afterResume.filter((f) => f.type === "ack");
    expect(acks.at(-1)).toMatchObject({ id: "answer-2" });
    expect(afterResume.filter((f) => f.type === "tips")).toHaveLength(1);
    expect(afterResume.at(-1)).toMatchObject({ type: "question", turn: 2 });

    resumed.send({ type: "user_answer", id: "answer-3", answer: ANSWERS[2] });
    const ending = (await resumed.until("session_ended")).filter((f) => !(f.type === "ack" && f.duplicate));
    expect(ending.map((f) => f.type)).toEqual(["ack", "tips", "feedback", "report", "session_ended"]);

    // The session's end flushes it to D1 at once; poll the export (development: no token).
    const deadline = Date.now() + 30_000;
    let answers: { turn: number; answer: string }[] = [];
    while (Date.now() < deadline) {
      const response = await fetch(`${dev.url}/export/session/${String(started.session_id)}`);
      if (response.ok) {
        answers = ((await response.json()) as { answers: { turn: number; answer: string }[] }).answers;
        if (answers.length >= 3) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(answers.map((a) => [a.turn, a.answer])).toEqual(ANSWERS.map((answer, i) => [i + 1, answer]));
  }, 300_000);
});
