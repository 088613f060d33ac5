/**
 * Upload bytes to audio for the ASR worker. PCM/float WAV is parsed in JS (no ffmpeg needed):
 * its header here, its samples in the worker thread (`UploadAudio` kind "wav");
 * everything else (WebM/Opus, Ogg/Opus, MP3, M4A, FLAC, other WAV codecs) goes through ffmpeg,
 * which also resamples to 16 kHz, run by an `FfmpegRunner` (at most FFMPEG_MAX_PROCESSES at once,
 * each killed after FFMPEG_TIMEOUT_MS or when its client goes away). ffmpeg is found as:
 * FFMPEG_PATH, else the static binary shipped by the npm package @ffmpeg-installer/ffmpeg, else
 * `ffmpeg` on PATH.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endianness } from "node:os";
import { isWav, readWavFormat, WavError, type DecodedAudio, type WavFormat } from "./wav.ts";

export const ASR_SAMPLE_RATE = 16_000;

export class DecodeError extends Error {
  override name = "DecodeError";
}

/** ffmpeg itself could not be started (missing binary, not executable): the server's fault, not the upload's. */
export class FfmpegUnavailableError extends Error {
  override name = "FfmpegUnavailableError";
}

export interface FfmpegProbe {
  available: boolean;
  path: string;
  /** First line of `ffmpeg -version`, or why it could not run. */
  detail: string;
}

/** Runs `ffmpeg -version` once (at start) to report whether compressed formats can be decoded. */
export function probeFfmpeg(configured = "", timeoutMs = 5_000): Promise<FfmpegProbe> {
  const path = findFfmpeg(configured);
  return new Promise((resolve) => {
    let out = "";
    const child = spawn(path, ["-hide_banner", "-version"], { stdio: ["ignore", "pipe", "ignore"], timeout: timeoutMs });
    child.stdout.on("data", (c: Buffer) => { if (out.length < 1000) out += c.toString(); });
    child.on("error", (err) => resolve({ available: false, path, detail: err.message }));
    child.on("close", (code) => {
      if (code === 0) resolve({ available: true, path, detail: out.split("\n")[0]!.trim() });
      else resolve({ available: false, path, detail: `exited with ${code}` });
    });
  });
}

let cachedFfmpeg: string | null | undefined;

/** Resolves the ffmpeg binary once; null when none is available. */
export function findFfmpeg(configured = ""): string {
  if (configured) return configured;
  if (cachedFfmpeg !== undefined) return cachedFfmpeg ?? "ffmpeg";
  try {
    const require = createRequire(import.meta.url);
    const installer = require("@ffmpeg-installer/ffmpeg") as { path: string };
    cachedFfmpeg = existsSync(installer.path) ? installer.path : null;
  } catch {
    cachedFfmpeg = null;
  }
  return cachedFfmpeg ?? "ffmpeg";
}

/** The decode ran past FFMPEG_TIMEOUT_MS and ffmpeg was killed: a pathological file, most likely. */
export class FfmpegTimeoutError extends Error {
  override name = "FfmpegTimeoutError";
}

/** The caller's signal fired (the client went away) while ffmpeg waited for a slot or ran; it was killed. */
export class DecodeCancelledError extends Error {
  override name = "DecodeCancelledError";
}

export interface FfmpegRunnerOptions {
  /** The binary (FFMPEG_PATH, resolved by findFfmpeg). */
  path: string;
  /** FFMPEG_MAX_PROCESSES: ffmpeg children alive at once; later decodes wait in line. */
  maxProcesses: number;
  /** FFMPEG_TIMEOUT_MS: a child still running after this is killed (SIGKILL). */
  timeoutMs: number;
}

/**
 * Runs ffmpeg children for uploads, at most `maxProcesses` at once (each decodes with its own
 * threads, so unbounded children would starve the inference threads and the event loop), each
 * under a timeout, each killed when its caller's signal fires (the client went away). Waiting
 * for a slot is bounded because every caller was admitted by the engine's queue first.
 */
export class FfmpegRunner {
  readonly path: string;
  readonly #max: number;
  readonly #timeoutMs: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(options: FfmpegRunnerOptions) {
    this.path = options.path;
    this.#max = options.maxProcesses;
    this.#timeoutMs = options.timeoutMs;
  }

  /** ffmpeg children alive now. */
  get running(): number {
    return this.#running;
  }

  /** Decodes waiting for a free slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * The upload as 16 kHz mono float32 samples. It is written to a temporary file first (unique
   * name in os.tmpdir(), mode 0600, always removed): MP4/M4A/MOV from phones usually has its
   * index (`moov`) after the audio (`mdat`), which ffmpeg can only read from a seekable input;
   * from a pipe such files decode to nothing.
   */
  async decode(bytes: Uint8Array, maxSeconds: number, signal?: AbortSignal): Promise<DecodedAudio> {
    await this.#acquire(signal);
    try {
      const path = join(tmpdir(), `speech-upload-${randomUUID()}`);
      await writeFile(path, bytes, { flag: "wx", mode: 0o600 });
      try {
        return await this.#run(path, maxSeconds, signal);
      } finally {
        await rm(path, { force: true });
      }
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new DecodeCancelledError("the client went away before decoding started"));
    if (this.#running < this.#max) {
      this.#running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new DecodeCancelledError("the client went away while its upload waited for ffmpeg"));
      };
      // #release hands its slot over (#running unchanged), so no newcomer overtakes the line.
      const grant = () => { signal?.removeEventListener("abort", onAbort); resolve(); };
      this.#waiting.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running -= 1;
  }

  #run(inputPath: string, maxSeconds: number, signal: AbortSignal | undefined): Promise<DecodedAudio> {
    return new Promise((resolve, reject) => {
      const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", inputPath, "-t", String(maxSeconds + 1), "-vn", "-ac", "1", "-ar", String(ASR_SAMPLE_RATE), "-f", "f32le", "pipe:1"];
      // SIGKILL: a stuck or hostile decode gets no chance to linger; node reaps the child either way.
      const child = spawn(this.path, args, { stdio: ["ignore", "pipe", "pipe"], killSignal: "SIGKILL" });
      const chunks: Buffer[] = [];
      let stderr = "";
      let ended: Error | null = null;
      const kill = (why: Error) => {
        if (ended) return;
        ended = why;
        child.kill("SIGKILL");
      };
      const timer = setTimeout(() => kill(new FfmpegTimeoutError(`decoding took longer than ${this.#timeoutMs} ms (FFMPEG_TIMEOUT_MS)`)), this.#timeoutMs);
      const onAbort = () => kill(new DecodeCancelledError("the client went away while ffmpeg was decoding its upload"));
      signal?.addEventListener("abort", onAbort, { once: true });
      child.stdout.on("data", (c: Buffer) => chunks.push(c));
      child.stderr.on("data", (c: Buffer) => { if (stderr.length < 4000) stderr += c.toString(); });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      // A spawn failure (ENOENT, EACCES) is the server's problem, not a bad upload.
      child.on("error", (err) => {
        done();
        reject(ended ?? new FfmpegUnavailableError(`ffmpeg could not run (${err.message}); install ffmpeg or set FFMPEG_PATH`));
      });
      // "close": the child has exited (and is reaped) and its pipes are drained.
      child.on("close", (code) => {
        done();
        if (ended) return reject(ended);
        if (code !== 0) return reject(new DecodeError(`ffmpeg could not decode the file: ${stderr.trim().split("\n").at(-1) ?? "unknown error"}`));
        resolve({ samples: f32leToFloat32(chunks), sampleRate: ASR_SAMPLE_RATE });
      });
    });
  }
}

const LITTLE_ENDIAN = endianness() === "LE";

/**
 * ffmpeg's f32le output (chunks split anywhere, even inside a sample) as one Float32Array: the
 * bytes are copied once into an aligned buffer and viewed, no per-sample conversion on a
 * little-endian host (all supported ones); a trailing partial sample is dropped.
 */
export function f32leToFloat32(chunks: readonly Uint8Array[]): Float32Array {
  let total = 0;
  for (const c of chunks) total += c.length;
  const samples = new Float32Array(Math.floor(total / 4));
  const bytes = new Uint8Array(samples.buffer);
  let at = 0;
  for (const c of chunks) {
    if (at >= bytes.length) break;
    const n = Math.min(c.length, bytes.length - at);
    bytes.set(n === c.length ? c : c.subarray(0, n), at);
    at += n;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(samples.buffer);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getFloat32(i * 4, true);
  }
  return samples;
}

/**
 * What the HTTP thread hands to the ASR worker: samples decoded by ffmpeg, or the bytes of a
 * PCM/float WAV whose header was checked here and whose samples the worker converts
 * (`wavSamples`), so no work that scales with the upload runs on the event loop.
 */
export type UploadAudio =
  | { kind: "samples"; samples: Float32Array; sampleRate: number }
  | { kind: "wav"; bytes: Uint8Array; format: WavFormat };

export function uploadFrames(audio: UploadAudio): number {
  return audio.kind === "wav" ? audio.format.frames : audio.samples.length;
}

export function uploadSampleRate(audio: UploadAudio): number {
  return audio.kind === "wav" ? audio.format.sampleRate : audio.sampleRate;
}

/**
 * Decodes an upload; WAV in JS first (the header here, refusing too-long audio before any
 * sample is read; the samples later in the worker), ffmpeg for the rest (and for WAV codecs JS
 * lacks): through `ffmpeg` (the app's runner: capped, timed, killed on `signal`), else a runner
 * of its own for `ffmpegPath`.
 */
export async function decodeAudio(bytes: Uint8Array, options: { ffmpeg?: FfmpegRunner; ffmpegPath?: string; maxSeconds: number; signal?: AbortSignal }): Promise<UploadAudio> {
  if (isWav(bytes)) {
    try {
      return { kind: "wav", bytes, format: readWavFormat(bytes, { maxSeconds: options.maxSeconds }) };
    } catch (err) {
      if (!(err instanceof WavError)) throw err;
      // fall through to ffmpeg for ADPCM, mu-law and friends
    }
  }
  const runner = options.ffmpeg ?? new FfmpegRunner({ path: findFfmpeg(options.ffmpegPath), maxProcesses: 1, timeoutMs: 60_000 });
  const decoded: DecodedAudio = await runner.decode(bytes, options.maxSeconds, options.signal);
  return { kind: "samples", ...decoded };
}
