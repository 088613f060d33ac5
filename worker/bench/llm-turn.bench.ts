/**
 * Benchmark (not a test): what the parallel model calls and streaming buy, end to end.
 *
 *   npm run bench -w @interview/worker
 *
 * Starts the fake NVIDIA server and the Worker (wrangler `unstable_dev`, local workerd) on
 * loopback, then over a real WebSocket times the answer → question interval of turns that
 * need both coaching and a next question, with every fake call taking d ms:
 *   - parallel: this project (both calls in flight at once) — expect ≈ d;
 *   - sequential baseline: the same Worker, with the fake serving one call at a time, which
 *     is what the seed's one-after-the-other calls cost — expect ≈ 2d.
 * Then, with streaming on, the lag from the fake writing the question's first token to the
 * client receiving the first `interviewer_delta` (both clocks are this process's).
 * Bounded: 2 delays × 2 modes × TURNS turns, plus STREAM_SAMPLES streamed questions.
 */
import { unstable_dev } from "wrangler";
import path from "node:path";
import { startFakeNvidia, type FakeNvidia } from "../test/fakes/fake-nvidia.ts";

const DELAYS_MS = [150, 400];
const TURNS = 5;
const STREAM_SAMPLES = 5;
const FRAME_WAIT_MS = 15_000;

type Frame = { type: string; [key: string]: unknown };

class Client {
  private inbox: Frame[] = [];
  private waiters: (() => void)[] = [];
  readonly received = new Map<Frame, number>();
  private readonly ws: WebSocket;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      const frame = JSON.parse(String(event.data)) as Frame;
      this.received.set(frame, performance.now());
      this.inbox.push(frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve(), { once: true });
      ws.addEventListener("error", () => reject(new Error(`cannot connect to ${url}`)), { once: true });
    });
    return new Client(ws);
  }
  send(frame: unknown): number {
    this.ws.send(JSON.stringify(frame));
    return performance.now();
  }
  async until(type: string): Promise<Frame[]> {
    const frames: Frame[] = [];
    const deadline = Date.now() + FRAME_WAIT_MS;
    for (;;) {
      const frame = this.inbox.shift();
      if (frame) {
        frames.push(frame);
        if (frame.type === type) return frames;
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  close(): void {
    this.ws.close(1000, "bench done");
  }
}

async function startSession(wsUrl: string, stream: boolean): Promise<Client> {
  const client = await Client.open(wsUrl);
  await client.until("session_ready");
  client.send({ type: "start_session", group: "control", stream });
  await client.until("question");
  return client;
}

/** Answer→question times of turns that answer a follow-up (coaching + next question). */
async function turnTimes(wsUrl: string, fake: FakeNvidia, delayMs: number, serial: boolean): Promise<number[]> {
  fake.script([], { defaultDelayMs: delayMs, serial });
  const client = await startSession(wsUrl, false);
  const times: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    client.send({ type: "user_answer", answer: `Main answer ${i}: I cut the p99 by 40% for 2 million users.` });
    await client.until("interviewer_message");
    const sent = client.send({ type: "user_answer", answer: `Follow-up answer ${i}: my part was the rollout plan.` });
    const frames = await client.until("question");
    times.push(client.received.get(frames.at(-1)!)! - sent);
  }
  client.close();
  return times;
}

/** Lag from the fake's first question token to the client's first interviewer_delta. */
async function firstDeltaLags(wsUrl: string, fake: FakeNvidia): Promise<number[]> {
  fake.script([{ purpose: "question", reply: { delayMs: 100, chunkDelayMs: 20 } }]);
  const lags: number[] = [];
  for (let i = 0; i < STREAM_SAMPLES; i++) {
    fake.reset();
    fake.script([{ purpose: "question", reply: { delayMs: 100, chunkDelayMs: 20 } }]);
    const client = await Client.open(wsUrl);
    await client.until("session_ready");
    client.send({ type: "start_session", group: "control", stream: true });
    const frames = await client.until("question");
    const firstDelta = frames.find((f) => f.type === "interviewer_delta");
    const call = fake.calls().find((c) => c.purpose === "question");
    if (!firstDelta || call?.firstTokenAt == null) throw new Error("no streamed question");
    lags.push(client.received.get(firstDelta)! - call.firstTokenAt);
    client.close();
  }
  return lags;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => ms.toFixed(1).padStart(7);

const fake = await startFakeNvidia();
const worker = await unstable_dev(path.resolve(import.meta.dirname, "../src/index.ts"), {
  config: path.resolve(import.meta.dirname, "../../wrangler.toml"),
  ip: "127.0.0.1",
  persist: false,
  logLevel: "error",
  vars: {
    ENVIRONMENT: "development",
    NVIDIA_API_KEY: "bench",
    NVIDIA_LLM_URL: fake.chatUrl,
    NVIDIA_LLM_MODEL: "bench/fake",
    NVIDIA_LLM_TIMEOUT: "10",
  },
  experimental: { disableExperimentalWarning: true },
});
const wsUrl = `ws://${worker.address}:${worker.port}/ws/interview`;
try {
  console.log(`turn = answer → question over a WebSocket, turns needing coaching + next question (${TURNS} per row, median)`);
  console.log("     d |  parallel | ratio | sequential baseline | ratio | parallel / sequential");
  for (const d of DELAYS_MS) {
    const parallel = median(await turnTimes(wsUrl, fake, d, false));
    const sequential = median(await turnTimes(wsUrl, fake, d, true));
    console.log(
      `${String(d).padStart(6)} | ${fmt(parallel)} ms | ${(parallel / d).toFixed(2)}  | ${fmt(sequential)} ms        | ${(sequential / d).toFixed(2)}  | ${(parallel / sequential).toFixed(2)}`,
    );
  }
  const lags = await firstDeltaLags(wsUrl, fake);
  console.log(
    `streaming: fake's first token → client's first interviewer_delta: median ${lags.length ? median(lags).toFixed(1) : "-"} ms (samples ${lags.map((l) => l.toFixed(1)).join(", ")})`,
  );
} finally {
  await worker.stop();
  await fake.close();
}
