/**
 * Benchmark of the realtime transcription endpoint (GET /v1/realtime?intent=transcription):
 * end of speech to the completed transcript, at 1 and at 50 concurrent streams, on loopback,
 * the tiny models, the server in its own process (so the 50 clients do not share its event
 * loop). Each client streams one spoken answer per round in real time, 20 ms frames: the
 * espeak-ng fixture's two phrases three times over, pauses under 700 ms (one turn of ~5.7 s),
 * after 0.5 s of silence and followed by 1.1 s of silence; the clients' starts are spread over 5 s.
 *
 * "End of speech" is the moment the client sent the frame holding the sample the server dated
 * as the end of speech (`speech_stopped.audio_end_ms`). Stages, per turn:
 *   decision   = speech_stopped received − end of speech: the silence the server must hear
 *                (silence_duration_ms, 700 by default) plus what VAD adds (frames, batching);
 *   transcript = completed received − speech_stopped received: the final transcription;
 *   total      = completed received − end of speech.
 * The 50-stream figures are also given as ratios of the 1-stream ones from the same run.
 * Output: JSON on stdout and bench/results/realtime.json. BENCH_REALTIME_STREAMS (1,50) and
 * BENCH_REALTIME_ROUNDS (2) change the run; BENCH_CPU_PROF=<dir> writes the server's CPU profiles.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { parseWav } from "../src/pipelines/wav.ts";
import { TINY_KOKORO, TINY_WHISPER, writeTinyModels } from "../test/fixtures/tiny-models.ts";

const KEY = "bench-key";
const DEVICE = process.env.DEVICE ?? "cpu";
const FRAME_MS = 20;
const SILENCE_MS = 700;
const STREAMS = (process.env.BENCH_REALTIME_STREAMS ?? "1,50").split(",").map(Number);
/** Rounds per stream: each round is one answer (one turn). */
const ROUNDS = Number(process.env.BENCH_REALTIME_ROUNDS ?? 2);
/** BENCH_REALTIME_BINARY=1: audio as binary pcm16 messages (the extension) instead of base64 JSON appends. */
const BINARY = process.env.BENCH_REALTIME_BINARY === "1";

const modelsDir = mkdtempSync(join(tmpdir(), "speech-bench-rt-"));
writeTinyModels(modelsDir);
const fixture = parseWav(readFileSync(new URL("../test/fixtures/audio/speech.wav", import.meta.url))).samples;
// One answer: 0.5 s of silence, the fixture's two phrases three times over (with their own
// leading and trailing silence and 50 ms between them: pauses well under the 700 ms that end a
// turn), then 1.1 s of silence: one turn of ~5.7 s.
const phrases = [fixture.subarray(0, 16_000 * 1.1), fixture.subarray(16_000 * 2.0)];
const parts: Float32Array[] = [new Float32Array(16_000 * 0.5)];
for (let k = 0; k < 3; k++) for (const p of phrases) parts.push(p, new Float32Array(16_000 * 0.05));
parts.push(new Float32Array(16_000 * 1.1));
const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
parts.reduce((at, p) => { audio.set(p, at); return at + p.length; }, 0);
const pcm = Buffer.alloc(audio.length * 2);
audio.forEach((x, i) => pcm.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x * 32767))), i * 2));
const frameBytes = (16_000 * FRAME_MS) / 1000 * 2;

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), fileURLToPath(new URL("../src/server.ts", import.meta.url))], {
    env: {
      ...process.env, HOST: "127.0.0.1", PORT: "0", MODELS_DIR: modelsDir, WHISPER_MODEL: TINY_WHISPER, KOKORO_MODEL: TINY_KOKORO,
      DEFAULT_VOICE: "af_heart", DEVICE, SPEECH_API_KEY: KEY, QUEUE_MAX: "64", LOG_LEVEL: "info", SPEECH_WORKER_QUIET: "1",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /Server listening at http:\/\/(127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(`ws://${m[1]!}/v1/realtime?intent=transcription`); }
    });
  });
  child.stdout!.resume();
  return { child, url };
}

interface Turn {
  decision: number;
  transcript: number;
  total: number;
}

/** One client: connects, streams `rounds` passes in real time, returns its turns' stages. */
async function stream(url: string, delayMs: number, rounds = ROUNDS): Promise<{ turns: Turn[]; failed: number }> {
  await new Promise((r) => setTimeout(r, delayMs));
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${KEY}` } });
  /** Send time of each frame, by frame index on the session timeline. */
  const sentAt: number[] = [];
  const stopped = new Map<string, { at: number; endMs: number }>();
  const turns: Turn[] = [];
  let failed = 0;
  let expected = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => { done = r; });
  ws.on("message", (data) => {
    const now = performance.now();
    const e = JSON.parse(data.toString()) as { type: string; item_id?: string; audio_end_ms?: number };
    if (e.type === "input_audio_buffer.speech_stopped") stopped.set(e.item_id!, { at: now, endMs: e.audio_end_ms! });
    if (e.type === "conversation.item.input_audio_transcription.completed" || e.type === "conversation.item.input_audio_transcription.failed") {
      const s = stopped.get(e.item_id!);
      if (e.type === "conversation.item.input_audio_transcription.failed" || !s) failed++;
      else {
        const eos = sentAt[Math.floor(s.endMs / FRAME_MS)] ?? s.at;
        turns.push({ decision: s.at - eos, transcript: now - s.at, total: now - eos });
      }
      if (turns.length + failed >= expected) done();
    }
  });
  await new Promise<void>((resolve, reject) => { ws.once("open", () => resolve()); ws.once("error", reject); });
  ws.send(JSON.stringify({ type: "transcription_session.update", session: { turn_detection: { type: "server_vad", silence_duration_ms: SILENCE_MS } } }));
  const start = performance.now();
  let frame = 0;
  for (let round = 0; round < rounds; round++) {
    expected += 1;
    for (let at = 0; at < pcm.length; at += frameBytes) {
      // Real-time pacing against the clock (not drift-prone sleeps of FRAME_MS each).
      const due = start + frame * FRAME_MS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sentAt[frame++] = performance.now();
      const bytes = pcm.subarray(at, at + frameBytes);
      ws.send(BINARY ? bytes : JSON.stringify({ type: "input_audio_buffer.append", audio: bytes.toString("base64") }));
    }
  }
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  ws.close();
  failed += Math.max(0, expected - turns.length - failed);
  return { turns, failed };
}

function summary(turns: Turn[], failed: number) {
  const stage = (k: keyof Turn) => ({ p50_ms: r1(pct(turns.map((t) => t[k]), 50)), p99_ms: r1(pct(turns.map((t) => t[k]), 99)) });
  return { turns: turns.length, failed, decision: stage("decision"), transcript: stage("transcript"), total: stage("total") };
}

const { child, url } = await startServer();
const results: Record<string, unknown> = { machine: `${cpus().length} cores, ${cpus()[0]?.model ?? "?"}`, device: DEVICE, audio: BINARY ? "binary" : "base64 json", frame_ms: FRAME_MS, silence_duration_ms: SILENCE_MS, rounds: ROUNDS };
try {
  // Warm: one short stream so the first measured turn pays no compilation.
  await stream(url, 0, 1).catch(() => undefined);
  for (const n of STREAMS) {
    // Starts spread over 5 s, as real answers do not all end at once.
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => stream(url, n === 1 ? 0 : (5_000 * i) / n, n === 1 ? ROUNDS * 3 : ROUNDS)));
    results[`streams_${n}`] = summary(runs.flatMap((r) => r.turns), runs.reduce((a, r) => a + r.failed, 0));
  }
  const one = results.streams_1 as ReturnType<typeof summary> | undefined;
  const many = results[`streams_${Math.max(...STREAMS)}`] as ReturnType<typeof summary> | undefined;
  if (one && many && many !== one) {
    results.ratio_many_vs_one = {
      transcript_p50: r1(many.transcript.p50_ms / one.transcript.p50_ms),
      total_p50: r1(many.total.p50_ms / one.total.p50_ms),
      total_p99: r1(many.total.p99_ms / one.total.p99_ms),
    };
  }
} finally {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  rmSync(modelsDir, { recursive: true, force: true });
}
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("realtime.json", dir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
process.exit(0);
