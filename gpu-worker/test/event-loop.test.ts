/**
 * The HTTP thread only moves bytes: converting a large WAV upload to samples and encoding long
 * synthesised speech to WAV/PCM run in the worker threads, and the event loop keeps serving
 * requests meanwhile. Checked over a real socket while a 24 MB 24-bit WAV is transcribed and
 * while ~7 minutes of speech are synthesised and sent:
 *   - what crosses to the threads: the upload's own bytes go to the ASR thread by transfer
 *     (detached on this thread, so nothing here converted them), and the TTS thread hands back
 *     the WAV file itself, which is what the client receives;
 *   - by order of events, not by milliseconds: a /health request sent once the task is in the
 *     pool is answered while that task is still in flight (its `in_flight` counts it) and before
 *     the audio response completes.
 * How long the loop stalls meanwhile is a figure, not a pass/fail bound (it depends on the
 * machine and what else runs on it): `npm run bench -w @interview/gpu-worker` prints it
 * ("event_loop" in bench/results/latest.json).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { AUTH, build, transcription } from "./helpers/build.ts";
import { parseWav } from "../src/pipelines/wav.ts";
import { EnginePool } from "../src/inference/pool.ts";
import type { SynthesizeResult, SynthesizeTask, TranscribeTask } from "../src/inference/types.ts";

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  app = await build();
  await app.listen({ host: "127.0.0.1", port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
});

/** A request over a real socket; `done` is called as its response ends, before the promise settles. */
function send(method: "GET" | "POST", path: string, body: Buffer | null, headers: Record<string, string>, done: () => void): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers: body ? { ...headers, "content-length": String(body.length) } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        done();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

type Health = { models: { asr: { in_flight: number }; tts: { in_flight: number } } };

/**
 * Sends the audio request and, once its task has been handed to the engine's pool
 * (`taskHandedOver`), GET /health; `order` records which response completed first.
 */
async function whileInFlight(audio: () => Promise<{ status: number; body: Buffer }>, taskHandedOver: Promise<void>, order: string[]) {
  const audioAnswer = audio();
  await taskHandedOver;
  const health = await send("GET", "/health", null, {}, () => order.push("health"));
  return { audio: await audioAnswer, health: { status: health.status, json: JSON.parse(health.body.toString()) as Health } };
}

/** A 24-bit mono 48 kHz WAV of quiet noise, `bytes` long (the slow per-sample path of the old parser). */
function wav24(bytes: number): Buffer {
  const frames = Math.floor((bytes - 44) / 3);
  const out = Buffer.alloc(44 + frames * 3);
  out.write("RIFF", 0, "ascii");
  out.writeUInt32LE(36 + frames * 3, 4);
  out.write("WAVEfmt ", 8, "ascii");
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(48_000, 24);
  out.writeUInt32LE(48_000 * 3, 28);
  out.writeUInt16LE(3, 32);
  out.writeUInt16LE(24, 34);
  out.write("data", 36, "ascii");
  out.writeUInt32LE(frames * 3, 40);
  let seed = 1;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1_103_515_245 + 12_345) >>> 0;
    out.writeIntLE(((seed >>> 8) % 4001) - 2000, 44 + i * 3, 3); // about -72 dBFS
  }
  return out;
}

const jsonHeaders = { ...AUTH, "content-type": "application/json" };

describe("the event loop only moves bytes and keeps serving while audio work runs", () => {
  it("hands a 24 MB WAV upload to the ASR thread as its bytes, by transfer, and answers /health meanwhile", async () => {
    // The pools live inside the app's encapsulated context: watch them through their class (a
    // route runs its tasks through the admission it took before reading the upload).
    const admit = EnginePool.prototype.admit;
    const tasks: TranscribeTask[] = [];
    let handedOver!: () => void;
    const taskHandedOver = new Promise<void>((resolve) => (handedOver = resolve));
    EnginePool.prototype.admit = function () {
      const admission = admit.call(this);
      return {
        ...admission,
        transcribe(task, signal) {
          tasks.push(task);
          const result = admission.transcribe(task, signal);
          handedOver();
          return result;
        },
      };
    };
    const order: string[] = [];
    try {
      const upload = wav24(24 * 1024 * 1024);
      const { payload, headers } = transcription(upload, { response_format: "verbose_json" });
      const { audio, health } = await whileInFlight(
        () => send("POST", "/v1/audio/transcriptions", payload, headers, () => order.push("transcription")),
        taskHandedOver,
        order,
      );
      expect(audio.status, audio.body.toString()).toBe(200);
      const json = JSON.parse(audio.body.toString()) as { duration: number };
      expect(json.duration).toBeCloseTo((upload.length - 44) / 3 / 48_000, 0); // the whole file, converted and resampled in the thread

      expect(tasks).toHaveLength(1);
      const sent = tasks[0]!.audio;
      // The upload itself, header and all, not samples: the WAV was only checked here...
      expect(sent.kind).toBe("wav");
      if (sent.kind !== "wav") return;
      expect(sent.format).toMatchObject({ sampleRate: 48_000, bits: 24, channels: 1, frames: Math.floor((upload.length - 44) / 3) });
      // ...and its buffer was moved to the thread: detached on this one.
      expect(sent.bytes.byteLength).toBe(0);
      expect(sent.bytes.buffer.byteLength).toBe(0);

      // /health was answered while the transcription was in the pool, before its answer was sent.
      expect(health.status).toBe(200);
      expect(health.json.models.asr.in_flight).toBe(1);
      expect(order).toEqual(["health", "transcription"]);
    } finally {
      EnginePool.prototype.admit = admit;
    }
  });

  it("sends ~7 min of speech as the WAV the TTS thread encoded, and answers /health meanwhile", async () => {
    const admit = EnginePool.prototype.admit;
    const calls: { task: SynthesizeTask; result?: SynthesizeResult }[] = [];
    let handedOver!: () => void;
    const taskHandedOver = new Promise<void>((resolve) => (handedOver = resolve));
    EnginePool.prototype.admit = function () {
      const admission = admit.call(this);
      return {
        ...admission,
        synthesize(task, signal) {
          const call: (typeof calls)[number] = { task };
          calls.push(call);
          const result = admission.synthesize(task, signal).then((r) => (call.result = r));
          handedOver();
          return result;
        },
      };
    };
    const order: string[] = [];
    try {
      const input = "This is one more sentence of a long spoken answer. ".repeat(80).slice(0, 4000);
      const body = Buffer.from(JSON.stringify({ model: "tts-1", input, voice: "af_heart", speed: 0.25 }));
      const { audio, health } = await whileInFlight(() => send("POST", "/v1/audio/speech", body, jsonHeaders, () => order.push("speech")), taskHandedOver, order);
      expect(audio.status).toBe(200);
      const wav = parseWav(audio.body);
      expect(wav.sampleRate).toBe(24_000);
      expect(wav.samples.length / wav.sampleRate).toBeGreaterThan(240); // minutes of audio

      // One task, asking the thread for a whole WAV file; what the client got is those bytes as they came back.
      expect(calls).toHaveLength(1);
      expect(calls[0]!.task.encoding).toBe("wav");
      const encoded = calls[0]!.result!.bytes;
      expect(Buffer.from(encoded.buffer, encoded.byteOffset, 4).toString("ascii")).toBe("RIFF");
      expect(audio.body.equals(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength))).toBe(true);

      // /health was answered while the synthesis was in the pool, before the speech was sent.
      expect(health.status).toBe(200);
      expect(health.json.models.tts.in_flight).toBe(1);
      expect(order).toEqual(["health", "speech"]);
    } finally {
      EnginePool.prototype.admit = admit;
    }
  });
});
