/**
 * Helpers for the speech tests inside workerd: the espeak-ng fixtures (from bindings), a
 * generated silent WAV, multipart bodies, and the bindings that point the Worker at a closed
 * port or at no speech worker at all.
 */
import { env } from "cloudflare:workers";
import type { Env } from "../../src/env.ts";

interface SpeechTestBindings {
  CLOSED_SPEECH_URL: string;
  SPEECH_WAV_BASE64: string;
  SPEECH_22K_WAV_BASE64: string;
}

const bindings = env as unknown as SpeechTestBindings;

function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** espeak-ng, 16 kHz: "Hello world." / 1 s pause / "This is a test." The tiny Whisper hears " hello world". */
export const speechWav = () => fromBase64(bindings.SPEECH_WAV_BASE64);
export const speech22kWav = () => fromBase64(bindings.SPEECH_22K_WAV_BASE64);

/** 16-bit PCM mono WAV of `seconds` of silence at 16 kHz. */
export function silentWav(seconds: number): Uint8Array<ArrayBuffer> {
  const rate = 16_000;
  const dataBytes = Math.round(seconds * rate) * 2;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((ch, i) => view.setUint8(offset + i, ch.charCodeAt(0)));
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return new Uint8Array(buffer);
}

/** A multipart POST with `file` (when given; several when a list) and text fields (a Blob: sent as a file part). */
export function upload(
  file: Uint8Array | Uint8Array[] | null,
  fields: Record<string, string | Blob> = {},
  headers: Record<string, string> = {},
  filename = "answer.wav",
): RequestInit {
  const form = new FormData();
  for (const one of file === null ? [] : Array.isArray(file) ? file : [file]) form.append("file", new File([new Uint8Array(one)], filename, { type: "audio/wav" }));
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, `${name}.txt`);
  }
  return { method: "POST", body: form, headers };
}

/**
 * A request body that records whether anything read it: `chunks` chunks of `chunkBytes`
 * zeros, produced only when pulled (highWaterMark 0: nothing is read ahead).
 */
export function trackedBody(chunks = 4, chunkBytes = 1024): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulls++ >= chunks) controller.close();
        else controller.enqueue(new Uint8Array(chunkBytes));
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulls };
}

/** Bindings overrides: the speech worker's address with nothing listening, or none configured. */
export const speechDown: Partial<Env> = { SPEECH_WORKER_URL: bindings.CLOSED_SPEECH_URL };
export const speechUnset: Partial<Env> = { SPEECH_WORKER_URL: undefined };

/** The data chunk's size of a 16-bit PCM WAV (the tiny Kokoro's length scales with 1 / speed). */
export function wavDataBytes(wav: ArrayBuffer): number {
  const view = new DataView(wav);
  let offset = 12;
  while (offset + 8 <= view.byteLength) {
    const id = String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
    const size = view.getUint32(offset + 4, true);
    if (id === "data") return size;
    offset += 8 + size + (size % 2);
  }
  throw new Error("no data chunk");
}
