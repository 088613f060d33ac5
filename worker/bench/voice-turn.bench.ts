/**
 * Voice turn benchmark (not a test): end of speech to the first interviewer audio byte, by
 * stage, for 1 and 50 concurrent spoken interviews on loopback. The Worker runs in `wrangler
 * dev` (its own process group), the speech worker on the tiny generated models in its own
 * process (the fault suite's speech-worker-child.ts), and the clients here stream the
 * espeak-ng answer ("Hello world.", then silence) in real time, 20 ms frames, and let the
 * speech worker's VAD end each answer.
 *
 *   npm run bench -w @interview/worker     (runs this after the LLM and coaching benches)
 *   npx tsx worker/bench/voice-turn.bench.ts --sizes 1,50 --answers 2
 *
 * Stages are the server's own `turn_timing` (README, "Voice on the socket"): transcription
 * (speech worker: VAD's end to the final transcript), model (the heuristics here: the
 * orchestration's own work, two storage commits and the engine), synthesis (question text
 * sent to its first audio byte sent). For the share of synthesis that is the speech worker's,
 * the same run makes the object's own request (the timed route, the first sentence) straight
 * to the speech worker, at the same concurrency, as the baseline; the streamed route's first
 * byte is printed beside it for comparison.
 *
 * Then, with the model on (a second `wrangler dev` against the fake NVIDIA server, in-process,
 * writing every reply at about 50 tokens/s after a first token at 300 ms): end of speech to the
 * first audio byte of the next main question, sessions with `stream: true` against sessions
 * without, one interview at a time, alternating, as a ratio in the same run (`--stream-runs`).
 * `--only stream` runs this part alone.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { writeTinyModels } from "../../gpu-worker/test/fixtures/tiny-models.ts";
import { REPO_ROOT, applyMigrations, bundle, freePort, startDev, writeRunConfig, type DevServer } from "./fleet/wrangler-dev.ts";
import { DEFAULT_CONTENT, startFakeNvidia, type FakeNvidia } from "../test/fakes/fake-nvidia.ts";
import { splitSentences } from "../src/durable/voice/sentence-splitter.ts";
import { tinySpeechWorkerEnv } from "../../gpu-worker/test/helpers/tiny-speech-worker.ts";

const { values: flags } = parseArgs({
  options: { sizes: { type: "string" }, answers: { type: "string" }, "stream-runs": { type: "string" }, only: { type: "string" } },
});
const SIZES = (flags.sizes ?? process.env.VOICE_BENCH_SIZES ?? "1,50").split(",").map(Number);
const ANSWERS = Number(flags.answers ?? process.env.VOICE_BENCH_ANSWERS ?? 2);
const STREAM_RUNS = Number(flags["stream-runs"] ?? process.env.VOICE_BENCH_STREAM_RUNS ?? 6);
const ONLY = flags.only ?? "";
/** The fake model: its first token after this long, then one word every TOKEN_MS (about 50 tokens/s). */
const TTFT_MS = 300;
const TOKEN_MS = 20;
/** The next main question the fake model writes: two sentences, the first one 15 words. */
const MAIN_QUESTION =
  "Tell me about a time you had to change a plan halfway through a project that mattered to you. What did you weigh, and how did the team take the change?";
const SPEECH_KEY = "voice-bench-key";
const FRAME_MS = 20;
const FRAME_BYTES = (16_000 * 2 * FRAME_MS) / 1000;
const CHILD = path.join(REPO_ROOT, "worker/test/stress/speech-worker-child.ts");
const WAV = readFileSync(path.join(REPO_ROOT, "gpu-worker/test/fixtures/audio/speech.wav"));
/** "Hello world." then 1.2 s of silence: VAD ends the answer 700 ms into it. */
const ANSWER = Buffer.concat([WAV.subarray(44, 44 + 16_000 * 2), Buffer.alloc(16_000 * 2 * 1.2)]);

interface Timing {
  /** The question the answer led to: what was synthesised. */
  text: string;
  /** Which answer of the interview (0: to the first question, whose reply is a follow-up). */
  answer: number;
  streamed: boolean;
  transcription: number;
  model: number;
  synthesis: number | null;
  totalMs: number;
}

async function startSpeechWorker(modelsDir: string, port: number): Promise<ChildProcess> {
  const env = {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    ...tinySpeechWorkerEnv(modelsDir, SPEECH_KEY),
    // onnxruntime's own choice of threads, as a deployment would run it (the tests pin one).
    ORT_THREADS: "0",
    LOG_LEVEL: "silent",
    // 50 interviews' syntheses at once: queue them rather than refuse them (429).
    QUEUE_MAX: "256",
  };
  const child = fork(CHILD, [], { env, execArgv: ["--no-warnings"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((ready, fail) => {
    child.on("message", (m: { type: string }) => m.type === "ready" && ready());
    child.once("exit", (code) => fail(new Error(`speech worker exited (${code})`)));
  });
  return child;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spoken answers that ended in an `error` (e.g. `speech_unavailable`) instead of a turn: counted, not timed. */
const failures: string[] = [];

/** One interview: start with voice both ways, then `answers` spoken answers; their turn_timing. An error ends it. */
async function interview(base: string, stream = false): Promise<Timing[]> {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws/interview`);
  ws.binaryType = "arraybuffer";
  const inbox: { type: string; [k: string]: unknown }[] = [];
  let wake: (() => void) | null = null;
  let question = "";
  /** The turn of the last interviewer audio completed (it can end before turn_timing arrives). */
  let voicedTurn = -1;
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    const frame = JSON.parse(event.data);
    if (frame.type === "question") question = frame.question;
    if (frame.type === "audio_out_end") voicedTurn = frame.turn;
    inbox.push(frame);
    wake?.();
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  const until = async (type: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const i = inbox.findIndex((f) => f.type === type || (f.type === "error" && f.code !== "rate_limited"));
      if (i >= 0) {
        const [frame] = inbox.splice(0, i + 1).slice(-1);
        if (frame!.type === "error") throw new Error(`error frame: ${JSON.stringify(frame)}`);
        return frame!;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${type}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    }
  };
  ws.send(JSON.stringify({ type: "start_session", stream, audio: { input: "pcm16", output: "pcm16" } }));
  await until("audio_out_end");
  const timings: Timing[] = [];
  try {
    await answers(timings);
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
  }
  ws.close();
  return timings;

  async function answers(timings: Timing[]): Promise<void> {
  for (let turn = 0; turn < ANSWERS; turn++) {
    ws.send(JSON.stringify({ type: "audio_start", turn }));
    // Real time: a frame every 20 ms, as a microphone would.
    const started = performance.now();
    for (let i = 0, n = 0; i < ANSWER.byteLength; i += FRAME_BYTES, n++) {
      ws.send(ANSWER.subarray(i, i + FRAME_BYTES));
      const ahead = started + (n + 1) * FRAME_MS - performance.now();
      if (ahead > 0) await sleep(ahead);
    }
    const timing = (await until("turn_timing")) as unknown as { stages: Omit<Timing, "totalMs" | "text" | "answer" | "streamed">; totalMs: number; streamed?: boolean };
    timings.push({ ...timing.stages, totalMs: timing.totalMs, text: question, answer: turn, streamed: timing.streamed === true });
    if (voicedTurn < turn + 1) await until("audio_out_end");
  }
  }
}

/**
 * The request the interview object makes for a question's first audio: the timed route for its
 * first sentence (interviewer-voice.ts), straight from the speech worker, to the whole reply
 * (the route answers once the sentence is synthesised). The synthesis stage's baseline.
 */
async function directTimedFirstSentence(speechUrl: string, text: string): Promise<number> {
  const first = splitSentences(text)[0]?.text ?? text;
  const started = performance.now();
  const response = await fetch(`${speechUrl}/v1/audio/speech/with-timestamps`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${SPEECH_KEY}` },
    body: JSON.stringify({ model: "tts-1", input: first, voice: "alloy", response_format: "pcm" }),
  });
  await response.arrayBuffer();
  return performance.now() - started;
}

/** Streamed TTS straight from the speech worker, to its first byte (for comparison: the whole text, streamed). */
async function directTtsFirstByte(speechUrl: string, text: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${speechUrl}/v1/audio/speech`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${SPEECH_KEY}` },
    body: JSON.stringify({ model: "tts-1", input: text, voice: "alloy", response_format: "pcm", stream: true }),
  });
  const reader = response.body!.getReader();
  await reader.read();
  const ms = performance.now() - started;
  await reader.cancel();
  return ms;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0).padStart(6) : "     -");

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "voice-bench-"));
  const modelsDir = path.join(tmp, "models");
  writeTinyModels(modelsDir);
  let speech: ChildProcess | null = null;
  let server: DevServer | null = null;
  let fake: FakeNvidia | null = null;
  try {
    const speechPort = await freePort();
    speech = await startSpeechWorker(modelsDir, speechPort);
    const speechUrl = `http://127.0.0.1:${speechPort}`;
    const config = writeRunConfig(tmp);
    const { mainModule } = await bundle(config, path.join(tmp, "bundle"));
    if (ONLY !== "stream") {
      const persistDir = path.join(tmp, "state");
      await applyMigrations(config, persistDir);
      server = await startDev({
        config,
        script: mainModule,
        persistDir,
        logFile: path.join(tmp, "wrangler-dev.log"),
        vars: [`SPEECH_WORKER_URL:${speechUrl}`, `SPEECH_API_KEY:${SPEECH_KEY}`],
      });
      await sizesTable(server, speechUrl);
      await server.stop();
      server = null;
    }
    if (ONLY === "" || ONLY === "stream") {
      fake = await startFakeNvidia();
      scriptRealisticModel(fake);
      const modelState = path.join(tmp, "model-state");
      await applyMigrations(config, modelState);
      server = await startDev({
        config,
        script: mainModule,
        persistDir: modelState,
        logFile: path.join(tmp, "wrangler-dev-model.log"),
        vars: [
          `SPEECH_WORKER_URL:${speechUrl}`,
          `SPEECH_API_KEY:${SPEECH_KEY}`,
          "NVIDIA_API_KEY:bench-key",
          `NVIDIA_LLM_URL:${fake.chatUrl}`,
          "NVIDIA_LLM_MODEL:bench/fake-model",
          "NVIDIA_LLM_TIMEOUT:15",
        ],
      });
      await streamComparison(server);
    }
  } finally {
    await server?.stop();
    await fake?.close();
    speech?.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function sizesTable(server: DevServer, speechUrl: string): Promise<void> {
    // Warm both (first model loads, first isolate compile) before anything is measured.
    await interview(server.url);
    console.log(`\nVoice turn: end of speech to first interviewer audio byte (ms), ${ANSWERS} spoken answers per interview, tiny models, loopback\n`);
    console.log("interviews | stage          |    p50 |    p99 | baseline p50 / p99: direct timed TTS of the first sentence; streamed TTS to its first byte");
    for (const size of SIZES) {
      failures.length = 0;
      const runs = await Promise.all(Array.from({ length: size }, () => interview(server!.url)));
      const timings = runs.flat();
      // The same texts, straight from the speech worker, as many at once as the interviews ran.
      const direct: number[] = [];
      const streamed: number[] = [];
      for (let i = 0; i < timings.length; i += size) {
        direct.push(...(await Promise.all(timings.slice(i, i + size).map((t) => directTimedFirstSentence(speechUrl, t.text)))));
        streamed.push(...(await Promise.all(timings.slice(i, i + size).map((t) => directTtsFirstByte(speechUrl, t.text)))));
      }
      const rows: [string, number[]][] = [
        ["transcription", timings.map((t) => t.transcription)],
        ["model (orch.)", timings.map((t) => t.model)],
        ["synthesis", timings.flatMap((t) => (t.synthesis === null ? [] : [t.synthesis]))],
        ["total", timings.map((t) => t.totalMs)],
      ];
      for (const [name, values] of rows) {
        const extra =
          name === "synthesis"
            ? `${fmt(percentile(direct, 50))} / ${fmt(percentile(direct, 99))}; ${fmt(percentile(streamed, 50))} / ${fmt(percentile(streamed, 99))}`
            : "";
        console.log(`${String(size).padStart(10)} | ${name.padEnd(14)} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${extra}`);
      }
      // The orchestration's own share: total minus the speech worker's stages, synthesis counted
      // as the same timed request made straight to the speech worker (what is left of it is our
      // request, decoding and forwarding).
      const own = timings.flatMap((t, i) => (t.synthesis === null ? [] : [t.totalMs - t.transcription - direct[i]!]));
      if (failures.length > 0) console.log(`${String(size).padStart(10)} | ${failures.length} of ${size * ANSWERS} answers failed: ${[...new Set(failures.map((f) => f.slice(0, 160)))].join(" | ")}`);
      console.log(`${String(size).padStart(10)} | ${"orchestration".padEnd(14)} | ${fmt(percentile(own, 50))} | ${fmt(percentile(own, 99))} | total − transcription − direct timed TTS of the first sentence`);
    }
}

/** Words of `text` with their leading space, as a model's tokens arrive (" What"). */
const wordTokens = (text: string) => text.match(/\s*\S+/g) ?? [];

/**
 * Every reply at the same pace: the first token after TTFT_MS, then a word every TOKEN_MS. A
 * streamed question arrives token by token; a JSON reply (the coaching, or the question
 * without `stream`) arrives whole when its last token would have been written.
 */
function scriptRealisticModel(fake: FakeNvidia): void {
  const whole = (content: string) => TTFT_MS + TOKEN_MS * wordTokens(content).length;
  const questionJson = JSON.stringify({ question: MAIN_QUESTION });
  fake.script([
    { purpose: "question", match: '"stream":true', reply: { chunks: wordTokens(MAIN_QUESTION), delayMs: TTFT_MS, chunkDelayMs: TOKEN_MS } },
    { purpose: "question", reply: { content: questionJson, delayMs: whole(questionJson) } },
    { purpose: "coaching", reply: { delayMs: whole(DEFAULT_CONTENT.coaching.json) } },
  ]);
}

/**
 * End of speech to the first audio byte of the reply, with and without `stream`, one interview
 * at a time, alternating so both see the same machine. The second answer of each interview is
 * the one whose reply is a main question the model writes (the first gets a follow-up from the
 * coaching call: nothing to stream, so it is the control).
 */
async function streamComparison(server: DevServer): Promise<void> {
  await interview(server.url, true);
  const by = { on: [] as Timing[], off: [] as Timing[] };
  for (let i = 0; i < STREAM_RUNS; i++) {
    for (const stream of i % 2 === 0 ? [true, false] : [false, true]) by[stream ? "on" : "off"].push(...(await interview(server.url, stream)));
  }
  const pick = (timings: Timing[], answer: number) => timings.filter((t) => t.answer === answer);
  const p50 = (timings: Timing[], key: "totalMs" | "model" | "synthesis") => percentile(timings.flatMap((t) => (t[key] === null ? [] : [t[key]!])), 50);
  console.log(
    `\nVoice turn with the model (fake NVIDIA: first token ${TTFT_MS} ms, then ~50 tokens/s; the coaching JSON ${wordTokens(DEFAULT_CONTENT.coaching.json).length} words, the question ${wordTokens(MAIN_QUESTION).length}), ${STREAM_RUNS} interviews each, p50 ms\n`,
  );
  console.log("reply                       | stream | n  | model | synthesis | end of speech → first audio byte | streamed turns");
  for (const [answer, name] of [[1, "main question (model)"], [0, "follow-up (control)"]] as const) {
    for (const key of ["on", "off"] as const) {
      const rows = pick(by[key], answer);
      console.log(`${name.padEnd(27)} | ${key.padEnd(6)} | ${String(rows.length).padEnd(2)} | ${fmt(p50(rows, "model"))} | ${fmt(p50(rows, "synthesis")).padStart(9)} | ${fmt(p50(rows, "totalMs")).padStart(32)} | ${rows.filter((t) => t.streamed).length}`);
    }
    const ratio = p50(pick(by.on, answer), "totalMs") / p50(pick(by.off, answer), "totalMs");
    console.log(`${name.padEnd(27)} | ratio stream / no stream: ${ratio.toFixed(2)}`);
  }
  if (failures.length > 0) console.log(`${failures.length} answers failed: ${[...new Set(failures.map((f) => f.slice(0, 160)))].join(" | ")}`);
}

await main();
