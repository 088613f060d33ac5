/**
 * Benchmark (not a test): what the parallel model calls and streaming buy, end to end.
 *
 *   npm run bench -w @interview/worker
 *
 * (run with tsx: the model adapter imported below uses TypeScript parameter properties, which
 * Node's own type stripping does not accept)
 *
 * Starts the fake NVIDIA server and the Worker (wrangler `unstable_dev`, local workerd) on
 * loopback, then over a real WebSocket times the answer → question interval of turns that
 * need both coaching and a next question, with every fake call taking d ms:
 *   - parallel: this project (both calls in flight at once) — expect ≈ d;
 *   - sequential baseline: the same Worker, with the fake serving one call at a time, which
 *     is what the seed's one-after-the-other calls cost — expect ≈ 2d.
 * Then, with streaming on, the lag from the fake writing the question's first token to the
 * client receiving the first `interviewer_delta` (both clocks are this process's).
 *
 * The durations the tests no longer assert (they check behaviour; a slow machine must not fail
 * them) are measured here instead:
 *   - the model adapter in-process (test/model/nvidia-interviewer.test.ts): a parallel turn, the
 *     time to give up at the deadline, to refuse a Retry-After past it, to honour one that fits,
 *     to answer with the circuit open, to stop on an abort, to end a stalled stream, and the
 *     spacing of forwarded deltas;
 *   - the Worker with NVIDIA_LLM_TIMEOUT = 1 s (test/workerd/llm-interview.test.ts): first
 *     question and turn times for each failure mode, and a turn with the circuit open.
 * The answer's rubric call is off for all of that (COACH_RUBRIC=off: those rows time the turn's
 * own calls, and the serial baseline would queue the rubric with them). Its own section then
 * times the same turns with the rubric on and its reply held RUBRIC_DELAY_MS, against the
 * rubric off in the same run: the ratio shows the turn does not wait for it (≈ 1, not
 * (d + RUBRIC_DELAY_MS) / d). `LLM_BENCH_ONLY=rubric` runs that section alone.
 * Bounded: 2 delays × 2 modes × TURNS turns, STREAM_SAMPLES streamed questions, SAMPLES per
 * adapter case, one session per failure mode; about a minute in all.
 */
import { unstable_dev } from "wrangler";
import path from "node:path";
import { startFakeNvidia, type FakeNvidia, type FakeReply, type FakeRule } from "../test/fakes/fake-nvidia.ts";
import type { ConsultRequest } from "../src/engine/types.ts";
import { NvidiaInterviewer } from "../src/model/nvidia/nvidia-interviewer.ts";

const DELAYS_MS = [150, 400];
const TURNS = 5;
const STREAM_SAMPLES = 5;
const SAMPLES = 5;
const FRAME_WAIT_MS = 15_000;
/** How long the fake holds each rubric reply in the rubric section (the turn's calls take RUBRIC_TURN_DELAY_MS). */
const RUBRIC_DELAY_MS = 2_000;
const RUBRIC_TURN_DELAY_MS = 150;

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
  return (await timedStart(wsUrl, stream)).client;
}

/** A session, and the time from start_session to its first question. */
async function timedStart(wsUrl: string, stream: boolean): Promise<{ client: Client; ms: number; frames: Frame[] }> {
  const client = await Client.open(wsUrl);
  await client.until("session_ready");
  const sent = client.send({ type: "start_session", group: "control", stream });
  const frames = await client.until("question");
  return { client, ms: client.received.get(frames.at(-1)!)! - sent, frames };
}

/** Sends an answer; the time until the frame of `type` that ends the turn. */
async function timedTurn(client: Client, answer: string, type: "interviewer_message" | "question"): Promise<{ ms: number; frames: Frame[] }> {
  const sent = client.send({ type: "user_answer", answer });
  const frames = await client.until(type);
  return { ms: client.received.get(frames.at(-1)!)! - sent, frames };
}

/** Answer→question times of turns that answer a follow-up (coaching + next question). */
async function turnTimes(wsUrl: string, fake: FakeNvidia, delayMs: number, serial: boolean, rules: FakeRule[] = []): Promise<number[]> {
  fake.script(rules, { defaultDelayMs: delayMs, serial });
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
const spread = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

const CONSULT: ConsultRequest = {
  id: 1,
  sessionId: "bench",
  turn: 2,
  style: "cold",
  pack: "swe_system_design",
  difficulty: "hard",
  history: [{ question: "Design a rate limiter?", answer: "Token buckets per tenant." }],
  stream: false,
  coaching: { question: "Design a rate limiter?", answer: "Token buckets per tenant.", metrics: { speakingRate: 150, fillers: 2 } },
  nextQuestion: { previousQuestion: "Design a rate limiter?", mainQuestionIndex: 1 },
};

/** The model adapter in-process against the fake: the durations its unit tests used to bound. */
async function adapterTimes(fake: FakeNvidia): Promise<void> {
  const model = (timeoutMs: number) => new NvidiaInterviewer({ apiKey: "bench", url: fake.chatUrl, model: "bench/fake", timeoutMs });
  const signal = () => new AbortController().signal;
  const time = async (rules: FakeRule[], consult: () => Promise<unknown>): Promise<number> => {
    fake.reset();
    fake.script(rules);
    const t = performance.now();
    await consult();
    return performance.now() - t;
  };
  const sample = async (measure: () => Promise<number>): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < SAMPLES; i++) out.push(await measure());
    return out;
  };
  const noCoaching = { ...CONSULT, coaching: undefined };
  const rows: [string, number[]][] = [];

  rows.push(["parallel turn, both calls 300 ms (≈ 300, not 600)", await sample(() => time([{ reply: { delayMs: 300 } }], () => model(5_000).consult(CONSULT, { signal: signal() })))]);
  rows.push([
    "give up at a 600 ms deadline (coaching call 5 s)",
    await sample(() => time([{ purpose: "coaching", reply: { delayMs: 5_000 } }], () => model(600).consult(CONSULT, { signal: signal() }))),
  ]);
  rows.push([
    "429, Retry-After 0.2 s honoured, then ok (≥ 200)",
    await sample(() => time([{ purpose: "question", times: 1, reply: { status: 429, retryAfter: "0.2" } }], () => model(5_000).consult(noCoaching, { signal: signal() }))),
  ]);
  rows.push([
    "429, Retry-After 30 s past the deadline: refused",
    await sample(() => time([{ purpose: "question", reply: { status: 429, retryAfter: "30" } }], () => model(5_000).consult(noCoaching, { signal: signal() }))),
  ]);
  {
    const m = model(300);
    fake.reset();
    fake.script([{ reply: { delayMs: 5_000 } }]);
    await m.consult(CONSULT, { signal: signal() });
    await m.consult({ ...CONSULT, nextQuestion: undefined }, { signal: signal() });
    if (m.breaker.state() !== "open") throw new Error(`breaker ${m.breaker.state()}, expected open`);
    rows.push([
      "circuit open: a turn refused without a call",
      await sample(async () => {
        const t = performance.now();
        await m.consult(CONSULT, { signal: signal() });
        return performance.now() - t;
      }),
    ]);
  }
  rows.push([
    "turn abandoned 50 ms in (calls 5 s): stopped after",
    await sample(() =>
      time([{ reply: { delayMs: 5_000 } }], () => {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 50);
        return model(5_000).consult(CONSULT, { signal: abort.signal });
      }),
    ),
  ]);
  rows.push([
    "stream stalled after its first token, 600 ms deadline",
    await sample(() =>
      time([{ purpose: "question", reply: { chunks: ["Tell ", "me more?"], chunkDelayMs: 5_000 } }], () =>
        model(600).consult({ ...noCoaching, stream: true }, { signal: signal(), onQuestionDelta: () => {} }),
      ),
    ),
  ]);
  rows.push([
    "streamed deltas sent 40 ms apart: first to third delta (≈ 80)",
    await sample(async () => {
      const at: number[] = [];
      await time([{ purpose: "question", reply: { chunks: ["How would ", "you shard ", "it?"], chunkDelayMs: 40 } }], () =>
        model(5_000).consult({ ...noCoaching, stream: true }, { signal: signal(), onQuestionDelta: () => at.push(performance.now()) }),
      );
      return at[2]! - at[0]!;
    }),
  ]);
  console.log(`\nmodel adapter in-process against the fake (${SAMPLES} samples each)`);
  for (const [name, xs] of rows) console.log(`  ${name.padEnd(62)} ${spread(xs)}`);
  fake.reset();
}

const FAILURES: [string, FakeReply, boolean][] = [
  ["a call slower than the timeout", { delayMs: 5_000 }, false],
  ["HTTP 500 twice", { status: 500 }, false],
  ["HTTP 429, Retry-After past the deadline", { status: 429, retryAfter: "30" }, false],
  ["a malformed body", { rawBody: '{"id": "x", "choices": [' }, false],
  ["empty content", { content: "" }, false],
  ["content that is no question", { content: '{"question": "{}"}' }, false],
  ["a stream cut off mid-question", { chunks: ["Tell me ", "about the ", "time"], truncateAfter: 2 }, true],
];

/** The Worker with a 1 s model deadline: how long the heuristics take to answer when the model fails. */
async function fallbackTimes(fake: FakeNvidia, timeoutS: string): Promise<void> {
  const worker = await startWorker(fake, timeoutS);
  const wsUrl = `ws://${worker.address}:${worker.port}/ws/interview`;
  try {
    console.log(
      `\nfallback to the heuristics, NVIDIA_LLM_TIMEOUT = ${timeoutS} s (one session per row): start → first question | answer → follow-up | calls the fake received (0: the circuit was open)`,
    );
    for (const [name, reply, stream] of FAILURES) {
      fake.reset();
      fake.script([{ reply, ...(stream ? { purpose: "question" as const } : {}) }]);
      const first = await timedStart(wsUrl, stream);
      const source = (first.frames.at(-1) as { source?: string }).source;
      const turn = await timedTurn(first.client, "I moved our billing jobs to a queue; p99 dropped from 9 s to 400 ms.", "interviewer_message");
      first.client.close();
      console.log(`  ${name.padEnd(42)} ${fmt(first.ms)} ms (${source}) | ${fmt(turn.ms)} ms | ${fake.calls().length}`);
      // The breaker is shared by every interview (3 consecutive failures open it): one good call
      // in between keeps each row about its own failure rather than the open circuit.
      fake.reset();
      (await timedStart(wsUrl, false)).client.close();
    }
    // Four timeouts open the circuit; the turns after it are answered without a call.
    fake.reset();
    fake.script([{ reply: { delayMs: 5_000 } }]);
    const { client } = await timedStart(wsUrl, false);
    await timedTurn(client, "Main answer: I cut the p99 by 40%.", "interviewer_message");
    await timedTurn(client, "Follow-up answer: my part was the rollout.", "question");
    const before = fake.calls().length;
    const followUp = await timedTurn(client, "Main answer two: I owned the migration.", "interviewer_message");
    const next = await timedTurn(client, "Follow-up answer two: the canary caught it.", "question");
    client.close();
    const calls = fake.calls().length - before;
    console.log(`  circuit open (after repeated timeouts), calls made: ${calls}: answer → follow-up ${fmt(followUp.ms)} ms | answer → next question ${fmt(next.ms)} ms`);
  } finally {
    await worker.stop();
  }
}

/** Turn times with the rubric on and each rubric reply held RUBRIC_DELAY_MS, against the rubric off. */
async function rubricTimes(fake: FakeNvidia): Promise<void> {
  const held: FakeRule[] = [{ purpose: "rubric", reply: { delayMs: RUBRIC_DELAY_MS } }];
  const times: Record<"off" | "on", number> = { off: 0, on: 0 };
  let rubrics = 0;
  for (const rubric of ["off", "on"] as const) {
    const worker = await startWorker(fake, "10", rubric);
    try {
      fake.reset();
      times[rubric] = median(await turnTimes(`ws://${worker.address}:${worker.port}/ws/interview`, fake, RUBRIC_TURN_DELAY_MS, false, held));
      if (rubric === "on") rubrics = fake.calls().filter((c) => c.purpose === "rubric").length;
    } finally {
      await worker.stop();
    }
  }
  console.log(
    `\nrubric call beside the turn (turn calls ${RUBRIC_TURN_DELAY_MS} ms, rubric reply held ${RUBRIC_DELAY_MS} ms; ${TURNS} turns, median answer → next question):`,
  );
  console.log(`  rubric off ${fmt(times.off)} ms | rubric on ${fmt(times.on)} ms (${rubrics} rubric calls) | on / off ${(times.on / times.off).toFixed(2)} (waiting for it would be ≈ ${((RUBRIC_TURN_DELAY_MS + RUBRIC_DELAY_MS) / RUBRIC_TURN_DELAY_MS).toFixed(1)})`);
}

function startWorker(fake: FakeNvidia, timeoutS: string, rubric: "on" | "off" = "off") {
  return unstable_dev(path.resolve(import.meta.dirname, "../src/index.ts"), {
    config: path.resolve(import.meta.dirname, "../../wrangler.toml"),
    ip: "127.0.0.1",
    persist: false,
    logLevel: "error",
    vars: {
      ENVIRONMENT: "development",
      NVIDIA_API_KEY: "bench",
      NVIDIA_LLM_URL: fake.chatUrl,
      NVIDIA_LLM_MODEL: "bench/fake",
      NVIDIA_LLM_TIMEOUT: timeoutS,
      COACH_RUBRIC: rubric,
    },
    experimental: { disableExperimentalWarning: true },
  });
}

const fake = await startFakeNvidia();
if (process.env.LLM_BENCH_ONLY === "rubric") {
  try {
    await rubricTimes(fake);
  } finally {
    await fake.close();
  }
  process.exit(0);
}
const worker = await startWorker(fake, "10");
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
}
try {
  await adapterTimes(fake);
  await fallbackTimes(fake, "1");
  await rubricTimes(fake);
} finally {
  await fake.close();
}
