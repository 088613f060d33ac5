/**
 * Upload bytes to mono Float32 samples. PCM/float WAV is parsed in JS (no ffmpeg needed);
 * everything else (WebM/Opus, Ogg/Opus, MP3, M4A, FLAC, other WAV codecs) goes through ffmpeg,
 * which also resamples to 16 kHz. ffmpeg is found as: FFMPEG_PATH, else the static binary
 * shipped by the npm package @ffmpeg-installer/ffmpeg, else `ffmpeg` on PATH.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { isWav, parseWav, WavError, type DecodedAudio } from "./wav.ts";

export const ASR_SAMPLE_RATE = 16_000;

export class DecodeError extends Error {
  override name = "DecodeError";
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

/** Runs ffmpeg: any input on stdin, 16 kHz mono float32 little-endian on stdout. */
export function ffmpegDecode(bytes: Uint8Array, ffmpegPath: string, maxSeconds: number): Promise<DecodedAudio> {
  return new Promise((resolve, reject) => {
    const args = ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", "pipe:0", "-t", String(maxSeconds + 1), "-vn", "-ac", "1", "-ar", String(ASR_SAMPLE_RATE), "-f", "f32le", "pipe:1"];
    const child = spawn(ffmpegPath, args, { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => { if (stderr.length < 4000) stderr += c.toString(); });
    child.on("error", (err) => reject(new DecodeError(`ffmpeg could not run (${err.message}); install ffmpeg or set FFMPEG_PATH`)));
    child.stdin.on("error", () => { /* ffmpeg may exit before reading all input; its exit code tells */ });
    child.on("close", (code) => {
      if (code !== 0) return reject(new DecodeError(`ffmpeg could not decode the file: ${stderr.trim().split("\n").at(-1) ?? "unknown error"}`));
      const all = Buffer.concat(chunks);
      const samples = new Float32Array(Math.floor(all.length / 4));
      for (let i = 0; i < samples.length; i++) samples[i] = all.readFloatLE(i * 4);
      resolve({ samples, sampleRate: ASR_SAMPLE_RATE });
    });
    child.stdin.end(bytes);
  });
}

/** Decodes an upload; WAV in JS first, ffmpeg for the rest (and for WAV codecs JS lacks). */
export async function decodeAudio(bytes: Uint8Array, options: { ffmpegPath?: string; maxSeconds: number }): Promise<DecodedAudio> {
  if (isWav(bytes)) {
    try {
      return parseWav(bytes);
    } catch (err) {
      if (!(err instanceof WavError)) throw err;
      // fall through to ffmpeg for ADPCM, mu-law and friends
    }
  }
  return ffmpegDecode(bytes, findFfmpeg(options.ffmpegPath), options.maxSeconds);
}
