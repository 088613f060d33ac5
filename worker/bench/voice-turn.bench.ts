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
 * the same run measures streamed TTS to its first byte straight from the speech worker, at
 * the same concurrency, as the baseline.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { TINY_KOKORO, TINY_WHISPER, writeTinyModels } from "../../gpu-worker/test/fixtures/tiny-models.ts";
import { REPO_ROOT, applyMigrations, bundle, freePort, startDev, writeRunConfig, type DevServer } from "./fleet/wrangler-dev.ts";

const { values: flags } = parseArgs({ options: { sizes: { type: "string" }, answers: { type: "string" } } });
const SIZES = (flags.sizes ?? process.env.VOICE_BENCH_SIZES ?? "1,50").split(",").map(Number);
const ANSWERS = Number(flags.answers ?? process.env.VOICE_BENCH_ANSWERS ?? 2);
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
    MODELS_DIR: modelsDir,
    WHISPER_MODEL: TINY_WHISPER,
    KOKORO_MODEL: TINY_KOKORO,
    DEFAULT_VOICE: "af_heart",
    DEVICE: "cpu",
    SPEECH_API_KEY: SPEECH_KEY,
    LOG_LEVEL: "silent",
    WARMUP: "false",
    SPEECH_WORKER_QUIET: "1",
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
async function interview(base: string): Promise<Timing[]> {
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
  ws.send(JSON.stringify({ type: "start_session", audio: { input: "pcm16", output: "pcm16" } }));
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
    const timing = (await until("turn_timing")) as unknown as { stages: Omit<Timing, "totalMs">; totalMs: number };
    timings.push({ ...timing.stages, totalMs: timing.totalMs, text: question });
    if (voicedTurn < turn + 1) await until("audio_out_end");
  }
  }
}

/** Streamed TTS straight from the speech worker, to its first byte (the synthesis stage's baseline). */
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
  try {
    const speechPort = await freePort();
    speech = await startSpeechWorker(modelsDir, speechPort);
    const speechUrl = `http://127.0.0.1:${speechPort}`;
    const config = writeRunConfig(tmp);
    const { mainModule } = await bundle(config, path.join(tmp, "bundle"));
    const persistDir = path.join(tmp, "state");
    await applyMigrations(config, persistDir);
    server = await startDev({
      config,
      script: mainModule,
      persistDir,
      logFile: path.join(tmp, "wrangler-dev.log"),
      vars: [`SPEECH_WORKER_URL:${speechUrl}`, `SPEECH_API_KEY:${SPEECH_KEY}`],
    });
    // Warm both (first model loads, first isolate compile) before anything is measured.
    await interview(server.url);
    console.log(`\nVoice turn: end of speech to first interviewer audio byte (ms), ${ANSWERS} spoken answers per interview, tiny models, loopback\n`);
    console.log("interviews | stage          |    p50 |    p99 | baseline p50 / p99 (direct TTS first byte)");
    for (const size of SIZES) {
      failures.length = 0;
      const runs = await Promise.all(Array.from({ length: size }, () => interview(server!.url)));
      const timings = runs.flat();
      // The same texts, straight from the speech worker, as many at once as the interviews ran.
      const direct: number[] = [];
      for (let i = 0; i < timings.length; i += size) {
        direct.push(...(await Promise.all(timings.slice(i, i + size).map((t) => directTtsFirstByte(speechUrl, t.text)))));
      }
      const rows: [string, number[]][] = [
        ["transcription", timings.map((t) => t.transcription)],
        ["model (orch.)", timings.map((t) => t.model)],
        ["synthesis", timings.flatMap((t) => (t.synthesis === null ? [] : [t.synthesis]))],
        ["total", timings.map((t) => t.totalMs)],
      ];
      for (const [name, values] of rows) {
        const extra = name === "synthesis" ? `${fmt(percentile(direct, 50))} / ${fmt(percentile(direct, 99))}` : "";
        console.log(`${String(size).padStart(10)} | ${name.padEnd(14)} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 99))} | ${extra}`);
      }
      // The orchestration's own share: total minus the speech worker's stages, synthesis counted
      // at the direct first byte of the same text (what is left of it is our request and forwarding).
      const own = timings.flatMap((t, i) => (t.synthesis === null ? [] : [t.totalMs - t.transcription - direct[i]!]));
      if (failures.length > 0) console.log(`${String(size).padStart(10)} | ${failures.length} of ${size * ANSWERS} answers failed: ${[...new Set(failures.map((f) => f.slice(0, 160)))].join(" | ")}`);
      console.log(`${String(size).padStart(10)} | ${"orchestration".padEnd(14)} | ${fmt(percentile(own, 50))} | ${fmt(percentile(own, 99))} | total − transcription − direct TTS of the same text`);
    }
  } finally {
    await server?.stop();
    speech?.kill("SIGKILL");
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
