/**
 * `npm run dev:tiny -w @interview/gpu-worker`: hear the speech path without real weights.
 * Writes the tests' tiny ONNX models (test/fixtures/tiny-models.ts) into a git-ignored folder
 * (`gpu-worker/.tiny-models`, or TINY_MODELS_DIR) and starts src/server.ts on them, after
 * saying what this proves and what it does not. HOST, PORT, SPEECH_API_KEY etc. are read from the
 * environment as usual; MODELS_DIR, WHISPER_MODEL, KOKORO_MODEL, PIPER_DIR and DEFAULT_VOICE are
 * set to the tiny models.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TINY_KOKORO, TINY_VOICES, TINY_WHISPER, writeTinyKokoro, writeTinyPiper, writeTinyWhisper } from "../test/fixtures/tiny-models.ts";

export const DEFAULT_TINY_MODELS_DIR = fileURLToPath(new URL("../.tiny-models", import.meta.url));

/** Writes a fresh models folder with the tiny models; returns the variables that make the server use it. */
export function writeDevTinyModels(dir: string = DEFAULT_TINY_MODELS_DIR): Record<string, string> {
  rmSync(dir, { recursive: true, force: true });
  writeTinyWhisper(dir);
  writeTinyKokoro(dir);
  writeTinyPiper(dir);
  return { MODELS_DIR: dir, WHISPER_MODEL: TINY_WHISPER, KOKORO_MODEL: TINY_KOKORO, PIPER_DIR: "piper", DEFAULT_VOICE: TINY_VOICES[0]! };
}

export function banner(env: Record<string, string>, url: string, apiKey: string): string {
  const auth = apiKey ? ` -H "Authorization: Bearer ${apiKey}"` : "";
  const wav = fileURLToPath(new URL("../test/fixtures/audio/speech.wav", import.meta.url));
  return [
    "",
    `dev:tiny: tiny generated models in ${env.MODELS_DIR} (no real weights).`,
    "What this proves: the whole path runs — HTTP, auth, multipart upload, WAV/ffmpeg decoding,",
    "resampling, the real Silero VAD, the log-mel graph, Whisper through transformers.js and",
    "onnxruntime-node, Kokoro/Piper synthesis, WAV/PCM encoding, the queue and /health, /metrics.",
    "What it does not: the tiny models' outputs are not meaningful. Whisper answers \"hello world\"",
    "to any speech (\"\" to silence); Kokoro and Piper speak a plain tone, not words.",
    "For real speech: npm run models:fetch -w @interview/gpu-worker, then npm start -w @interview/gpu-worker.",
    "",
    "Try, once it listens:",
    `  curl ${url}/health`,
    `  curl${auth} -F file=@${wav} -F model=whisper-1 ${url}/v1/audio/transcriptions`,
    `  curl${auth} -H 'Content-Type: application/json' -d '{"model":"tts-1","input":"Hello there.","voice":"alloy"}' -o /tmp/tiny.wav ${url}/v1/audio/speech`,
    "",
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const env = writeDevTinyModels(process.env.TINY_MODELS_DIR ? resolve(process.env.TINY_MODELS_DIR) : DEFAULT_TINY_MODELS_DIR);
  const host = process.env.HOST || "127.0.0.1";
  const port = process.env.PORT || "8788";
  console.error(banner(env, `http://${host.includes(":") ? `[${host}]` : host}:${port}`, process.env.SPEECH_API_KEY ?? ""));
  const server = fileURLToPath(new URL("../src/server.ts", import.meta.url));
  // Its own process group, so a terminal's Ctrl-C reaches the server once, forwarded from here
  // (npm forwards it too; a second signal would make close-with-grace exit without draining).
  const child = spawn(process.execPath, [server], { env: { ...process.env, ...env }, stdio: "inherit", detached: true });
  let forwarded = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (forwarded) return;
      forwarded = true;
      child.kill(signal);
    });
  }
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
