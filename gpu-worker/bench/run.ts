/**
 * Benchmarks of the speech worker, bounded in time (about a minute) and on loopback only.
 * Every ratio is against a baseline measured in the same run on the same machine:
 *   1. /health latency (p50/p99) idle, then while 8 transcriptions run concurrently.
 *   2. Log-mel features: the ONNX graph vs transformers.js's JS extractor, on a 3 s clip and a
 *      full 30 s window, with the largest absolute difference between the two.
 *   3. Requests/s and latency of the tiny models (transcription with each log-mel front end,
 *      speech) through the HTTP API at concurrency 4.
 *   4. VAD_SKIP_SILENCE: seconds of audio Whisper runs on, its 30 s windows and latency, speech
 *      only vs the whole clip, on clips with long pauses (one transcription at a time).
 *   5. The event loop's longest stall (perf_hooks delay monitor, real socket) while a 24 MB 24-bit
 *      WAV upload is transcribed and while ~7 min of speech is synthesised and sent as WAV; and
 *      refusing a too-long WAV from its header vs parsing it. test/event-loop.test.ts checks the
 *      behaviour (the work is in the threads, /health answered meanwhile); the figures are here.
 *   6. The upload buffer grown as bytes arrive vs preallocated from Content-Length (25 MB in 64 KiB
 *      chunks), its largest single growth step, and what 10 bytes declaring 25 MB allocate.
 * Runs on the tiny generated models (real weights cannot be had here); DEVICE=cuda on a GPU box.
 * Output: a table on stdout and bench/results/latest.json. BENCH_ONLY=5 runs section 5 alone.
 */
import Fastify, { type FastifyInstance } from "fastify";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { WhisperFeatureExtractor } from "@huggingface/transformers";
import app from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { LogMel } from "../src/pipelines/logmel.ts";
import { AudioTooLongError, encodeWav, parseWav, wavHeader } from "../src/pipelines/wav.ts";
import { collectUpload } from "../src/routes/upload.ts";
import { TINY_KOKORO, TINY_WHISPER, writeTinyModels } from "../test/fixtures/tiny-models.ts";

process.env.SPEECH_WORKER_QUIET = "1";
const DEVICE = (process.env.DEVICE ?? "cpu") as "cpu" | "cuda" | "auto";
const KEY = "bench-key";
/** Each load phase runs this long. */
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 6_000);
const HEALTH_INTERVAL_MS = 10;

const modelsDir = mkdtempSync(join(tmpdir(), "speech-bench-"));
writeTinyModels(modelsDir);
const speech = readFileSync(new URL("../test/fixtures/audio/speech.wav", import.meta.url));
const speechSamples = parseWav(speech).samples;
// A 10 s answer: the phrase three times with pauses.
const answer = new Float32Array(16_000 * 10);
for (let k = 0; k < 3; k++) answer.set(speechSamples, k * 16_000 * 3.3);
const answerWav = encodeWav(answer, 16_000);

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}
const r2 = (x: number) => Math.round(x * 100) / 100;

async function start(overrides: Record<string, string>): Promise<{ server: FastifyInstance; url: string }> {
  const config = loadConfig({
    MODELS_DIR: modelsDir, WHISPER_MODEL: TINY_WHISPER, KOKORO_MODEL: TINY_KOKORO, DEFAULT_VOICE: "af_heart",
    DEVICE, SPEECH_API_KEY: KEY, LOG_LEVEL: "silent", QUEUE_MAX: "64", ...overrides,
  });
  const server = Fastify({ logger: false });
  await server.register(app, { config });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const addr = server.server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

/** The real entry point in its own process, so the load generator does not share its event loop. */
async function startProcess(overrides: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL("../src/server.ts", import.meta.url))], {
    env: {
      ...process.env, HOST: "127.0.0.1", PORT: "0", MODELS_DIR: modelsDir, WHISPER_MODEL: TINY_WHISPER, KOKORO_MODEL: TINY_KOKORO,
      DEFAULT_VOICE: "af_heart", DEVICE, SPEECH_API_KEY: KEY, QUEUE_MAX: "64", LOG_LEVEL: "info", ...overrides,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    });
  });
  child.stdout!.resume();
  return { child, url };
}

function transcribe(url: string, wav: Buffer): Promise<Response> {
  const form = new FormData();
  form.set("file", new Blob([new Uint8Array(wav)], { type: "audio/wav" }), "answer.wav");
  form.set("model", "whisper-1");
  form.set("language", "en");
  return fetch(`${url}/v1/audio/transcriptions`, { method: "POST", body: form, headers: { authorization: `Bearer ${KEY}` } });
}

function speak(url: string): Promise<Response> {
  return fetch(`${url}/v1/audio/speech`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "tts-1", input: "Tell me about a project you are proud of. What was your role?", voice: "af_heart" }),
  });
}

async function healthLatencies(url: string, until: () => boolean): Promise<number[]> {
  const out: number[] = [];
  while (!until()) {
    const t = performance.now();
    const res = await fetch(`${url}/health`);
    await res.arrayBuffer();
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, HEALTH_INTERVAL_MS));
  }
  return out;
}

/** Runs `concurrency` loops of `call` for PHASE_MS; returns latencies and req/s. */
async function load(concurrency: number, call: () => Promise<Response>, ms = PHASE_MS) {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await call();
      await res.arrayBuffer();
      if (res.ok) latencies.push(performance.now() - t);
      else failures++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  return { requests: latencies.length, failures, rps: r2(latencies.length / seconds), p50_ms: r2(pct(latencies, 50)), p99_ms: r2(pct(latencies, 99)) };
}

/** BENCH_ONLY=5 (or 1,5 ...) runs only those sections. */
const only = process.env.BENCH_ONLY?.split(",").map(Number);
const wanted = (section: number) => !only || only.includes(section);

const results: Record<string, unknown> = { device: DEVICE, cpus: cpus().length, cpu_model: cpus()[0]?.model, node: process.version, date: new Date().toISOString() };

// 1. /health under load
if (wanted(1)) {
  const asrThreads = process.env.BENCH_ASR_THREADS ?? "1";
  const { child, url } = await startProcess({ ASR_THREADS: asrThreads, ORT_THREADS: "1" });
  let stop = false;
  setTimeout(() => { stop = true; }, PHASE_MS / 2);
  const idle = await healthLatencies(url, () => stop);
  let done = false;
  const transcriptions = load(8, () => transcribe(url, answerWav), PHASE_MS).then((r) => { done = true; return r; });
  await new Promise((r) => setTimeout(r, 300)); // let the 8 requests get going
  const busy = await healthLatencies(url, () => done);
  const tr = await transcriptions;
  results.health = {
    idle: { samples: idle.length, p50_ms: r2(pct(idle, 50)), p99_ms: r2(pct(idle, 99)) },
    with_8_transcriptions: { samples: busy.length, p50_ms: r2(pct(busy, 50)), p99_ms: r2(pct(busy, 99)), max_ms: r2(Math.max(...busy)) },
    p99_ratio_busy_over_idle: r2(pct(busy, 99) / pct(idle, 99)),
    transcriptions_completed: tr.requests,
    asr_threads: Number(asrThreads),
    target_p99_ms: 20,
  };
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

// 2. log-mel features
if (wanted(2)) {
  const cfg = JSON.parse(readFileSync(join(modelsDir, TINY_WHISPER, "preprocessor_config.json"), "utf8"));
  const fe = new WhisperFeatureExtractor(cfg) as unknown as { config: { mel_filters: number[][] }; window: Float64Array; _call(a: Float32Array): Promise<{ input_features: { data: Float32Array } }> };
  const mel = await LogMel.create({ nFft: 400, hop: 160, nSamples: 480_000, nFrames: 3000, melFilters: fe.config.mel_filters, window: fe.window }, DEVICE === "cuda" ? "cuda" : "cpu");
  const full = Float32Array.from({ length: 480_000 }, (_v, i) => answer[i % answer.length]! + Math.sin(i * 0.01) * 0.01);
  const out: Record<string, unknown> = {};
  for (const [name, audio] of [["clip_2.9s", speechSamples], ["window_30s", full]] as const) {
    const js: number[] = [];
    const onnx: number[] = [];
    let maxDiff = 0;
    for (let i = 0; i < 12; i++) {
      let t = performance.now();
      const a = await fe._call(audio);
      js.push(performance.now() - t);
      t = performance.now();
      const b = await mel.compute(audio);
      onnx.push(performance.now() - t);
      for (let j = 0; j < b.data.length; j++) maxDiff = Math.max(maxDiff, Math.abs(a.input_features.data[j]! - b.data[j]!));
    }
    js.splice(0, 2);
    onnx.splice(0, 2); // warm-up
    out[name] = { js_median_ms: r2(pct(js, 50)), onnx_median_ms: r2(pct(onnx, 50)), speedup: r2(pct(js, 50) / pct(onnx, 50)), max_abs_diff: maxDiff };
  }
  results.log_mel = out;
  await mel.release();
}

// 3. tiny-model throughput through the HTTP API
if (wanted(3)) {
  const tp: Record<string, unknown> = {};
  for (const features of ["js", "onnx"] as const) {
    const { server, url } = await start({ ASR_THREADS: "2", TTS_THREADS: "1", ORT_THREADS: "1", WHISPER_FEATURES: features });
    tp[`transcriptions_10s_${features}_features`] = await load(4, () => transcribe(url, answerWav));
    if (features === "onnx") tp.speech_sentence = await load(4, () => speak(url));
    await server.close();
  }
  const js = tp.transcriptions_10s_js_features as { rps: number };
  const onnx = tp.transcriptions_10s_onnx_features as { rps: number };
  tp.transcription_rps_ratio_onnx_over_js = r2(onnx.rps / js.rps);
  results.throughput = tp;
}

// 4. VAD_SKIP_SILENCE: Whisper on the speech only vs the whole clip, on clips with long pauses.
if (wanted(4)) {
  const gap = (seconds: number) => new Float32Array(Math.round(16_000 * seconds));
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const clips: Record<string, Float32Array> = {
    // The test clip: speech, 20 s of silence, speech.
    pause_20s: concat([speechSamples, gap(20), speechSamples]),
    // 13 utterances 2 s apart (~64 s): joined speech just over one 30 s window.
    utterances_13x: concat(Array.from({ length: 13 }, () => [speechSamples, gap(2)]).flat()),
  };
  /** 30 s windows the pipeline runs for `s` seconds of audio (5 s strides each side: 20 s steps). */
  const windows = (s: number) => (s <= 30 ? 1 : 1 + Math.ceil((s - 30) / 20));
  const whisperTotal = async (url: string) => {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${KEY}` } })).text();
    return Number(/^speech_whisper_audio_seconds_total (\S+)$/m.exec(text)?.[1] ?? NaN);
  };
  const out: Record<string, unknown> = {};
  const servers = {
    whole: await start({ ASR_THREADS: "1", ORT_THREADS: "1", KOKORO_MODEL: "", PIPER_DIR: "", VAD_SKIP_SILENCE: "false" }),
    speech_only: await start({ ASR_THREADS: "1", ORT_THREADS: "1", KOKORO_MODEL: "", PIPER_DIR: "", VAD_SKIP_SILENCE: "true" }),
  };
  for (const [name, audio] of Object.entries(clips)) {
    const wav = encodeWav(audio, 16_000);
    const row: Record<string, unknown> = { clip_s: r2(audio.length / 16_000) };
    for (const [mode, { url }] of Object.entries(servers)) {
      await (await transcribe(url, wav)).arrayBuffer(); // warm-up
      const before = await whisperTotal(url);
      const r = await load(1, () => transcribe(url, wav), PHASE_MS / 2);
      const perRequest = ((await whisperTotal(url)) - before) / (r.requests + r.failures);
      row[mode] = { ...r, whisper_s: r2(perRequest), whisper_windows: windows(perRequest) };
    }
    const whole = row.whole as { whisper_s: number; p50_ms: number };
    const only = row.speech_only as { whisper_s: number; p50_ms: number };
    row.whisper_seconds_saved = r2(whole.whisper_s - only.whisper_s);
    row.whisper_seconds_saved_pct = r2((100 * (whole.whisper_s - only.whisper_s)) / whole.whisper_s);
    row.p50_ratio_whole_over_speech_only = r2(whole.p50_ms / only.p50_ms);
    out[name] = row;
  }
  for (const { server } of Object.values(servers)) await server.close();
  results.skip_silence = out;
}

// 5. event-loop stalls while large audio is moved, and the WAV length check
if (wanted(5)) {
  const RUNS = Number(process.env.BENCH_STALL_RUNS ?? 3);
  const { server, url } = await start({ ASR_THREADS: "1", TTS_THREADS: "1", ORT_THREADS: "1" });
  const port = Number(new URL(url).port);
  /**
   * A POST over a real socket. The client shares the event loop being measured, so it avoids work
   * that scales with the answer: the body is copied into a buffer sized from Content-Length.
   */
  const post = (path: string, body: Buffer, headers: Record<string, string>) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, "content-length": String(body.length) } }, (res) => {
        let out = Buffer.alloc(Number(res.headers["content-length"] ?? 0));
        let length = 0;
        res.on("data", (c: Buffer) => {
          if (length + c.length > out.length) out = Buffer.concat([out.subarray(0, length)], Math.max(length + c.length, out.length * 2));
          c.copy(out, length);
          length += c.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: out.subarray(0, length) }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  /** Longest event-loop stall (ms) during each of RUNS runs of `work`. */
  const stalls = async (work: () => Promise<{ status: number }>) => {
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      const res = await work();
      histogram.disable();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      runs.push(r2(histogram.max / 1e6));
    }
    return { runs_ms: runs, min_ms: Math.min(...runs), max_ms: Math.max(...runs) };
  };
  const multipart = (file: Buffer, fields: Record<string, string>) => {
    const boundary = `----bench-${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`));
    return { payload: Buffer.concat(parts), headers: { authorization: `Bearer ${KEY}`, "content-type": `multipart/form-data; boundary=${boundary}` } };
  };
  // A 24-bit mono 48 kHz WAV of quiet noise, 24 MB (the slow per-sample path of the old parser).
  const frames = Math.floor((24 * 1024 * 1024 - 44) / 3);
  const wav24 = Buffer.alloc(44 + frames * 3);
  wav24.write("RIFF", 0, "ascii"); wav24.writeUInt32LE(36 + frames * 3, 4); wav24.write("WAVEfmt ", 8, "ascii");
  wav24.writeUInt32LE(16, 16); wav24.writeUInt16LE(1, 20); wav24.writeUInt16LE(1, 22); wav24.writeUInt32LE(48_000, 24);
  wav24.writeUInt32LE(48_000 * 3, 28); wav24.writeUInt16LE(3, 32); wav24.writeUInt16LE(24, 34); wav24.write("data", 36, "ascii"); wav24.writeUInt32LE(frames * 3, 40);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    wav24.writeIntLE(((seed >>> 8) % 4001) - 2000, 44 + i * 3, 3);
  }
  const json = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
  // Warm both routes (the first request of a route compiles code).
  const small = multipart(encodeWav(new Float32Array(16_000), 16_000), { model: "whisper-1" });
  await post("/v1/audio/transcriptions", small.payload, small.headers);
  await post("/v1/audio/speech", Buffer.from(JSON.stringify({ model: "tts-1", input: "Ready." })), json);
  const upload = multipart(wav24, { model: "whisper-1", response_format: "verbose_json" });
  const longSpeech = Buffer.from(JSON.stringify({ model: "tts-1", input: "This is one more sentence of a long spoken answer. ".repeat(80).slice(0, 4000), voice: "af_heart", speed: 0.25 }));
  const spoken = await post("/v1/audio/speech", longSpeech, json);
  const el: Record<string, unknown> = {
    wav_upload_24mb_24bit: await stalls(() => post("/v1/audio/transcriptions", upload.payload, upload.headers)),
    [`speech_wav_${Math.round(parseWav(spoken.body).samples.length / 24_000)}s`]: await stalls(() => post("/v1/audio/speech", longSpeech, json)),
  };
  await server.close();
  // A 601 s 16-bit 16 kHz WAV: refused from its header (MAX_AUDIO_SECONDS 600) vs parsed whole.
  const long = Buffer.concat([wavHeader(16_000, 601 * 16_000 * 2), Buffer.alloc(601 * 16_000 * 2)]);
  const refuse: number[] = [];
  const parse: number[] = [];
  for (let i = 0; i < 12; i++) {
    let t = performance.now();
    try { parseWav(long, { maxSeconds: 600 }); } catch (err) { if (!(err instanceof AudioTooLongError)) throw err; }
    refuse.push(performance.now() - t);
    t = performance.now();
    parseWav(long, { maxSeconds: 601 });
    parse.push(performance.now() - t);
  }
  el.wav_601s_refused_from_header_median_ms = Math.round(pct(refuse, 50) * 1000) / 1000;
  el.wav_601s_parsed_median_ms = r2(pct(parse, 50));
  results.event_loop = el;
}

// 6. The upload buffer: grown as bytes arrive (collectUpload) vs one buffer preallocated from the
// declared Content-Length (the earlier way, which let a client that declares much and sends little
// cost a 25 MB allocation), for 25 MB arriving in 64 KiB chunks.
if (wanted(6)) {
  const total = 25 * 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024).fill(7);
  async function* arriving() {
    for (let at = 0; at < total; at += chunk.length) yield chunk;
  }
  async function preallocated(): Promise<Uint8Array> {
    const buffer = new Uint8Array(total);
    let length = 0;
    for await (const c of arriving()) { buffer.set(c, length); length += c.length; }
    return buffer.subarray(0, length);
  }
  const timed = async (f: () => Promise<Uint8Array>) => { const t = performance.now(); const out = await f(); if (out.length !== total) throw new Error("short"); return performance.now() - t; };
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 15; i++) {
    before.push(await timed(preallocated));
    after.push(await timed(() => collectUpload(arriving(), total)));
  }
  // The largest single step of the growing buffer: 25 MB allocated, the 16 MB received copied in.
  const step: number[] = [];
  const received = new Uint8Array(16 * 1024 * 1024).fill(3);
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    new Uint8Array(total).set(received);
    step.push(performance.now() - t);
  }
  results.upload_buffer = {
    preallocated_25mb_median_ms: r2(pct(before, 50)),
    growing_25mb_median_ms: r2(pct(after, 50)),
    growing_vs_preallocated: r2(pct(after, 50) / pct(before, 50)),
    largest_step_median_ms: r2(pct(step, 50)),
    bytes_allocated_for_10_bytes_declaring_25mb: (await collectUpload((async function* () { yield new Uint8Array(10); })(), total)).buffer.byteLength,
  };
}

rmSync(modelsDir, { recursive: true, force: true });
const dir = new URL("./results/", import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL("latest.json", dir), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
process.exit(0);
