/**
 * INFERENCE_TIMEOUT_MS: a task stuck in its thread (held there by EnginePool.hold, blocked the way
 * a stuck onnxruntime call would be) answers 503 inference_timeout, its thread is replaced, and
 * the request queued behind it then runs; a streamed speech answer whose later sentence fails
 * ends without chunked encoding's terminating chunk, which a real HTTP client reports as an error.
 * No elapsed time is asserted: the timeout only has to fire at some point.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import { AUTH, fixture, transcription } from "./helpers/build.ts";
import { buildWithEngines } from "./helpers/engines.ts";
import type { SpeechEngines } from "../src/plugins/speech.ts";

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 4000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

// Long enough that the tiny models' real work (under a second here) never reaches it on a busy
// machine; the held task always does. Waiting for it costs no CPU: the held thread sleeps in Atomics.wait.
const TIMEOUT = { INFERENCE_TIMEOUT_MS: "8000" };

describe("a stuck transcription", () => {
  let app: FastifyInstance;
  let engines: SpeechEngines;
  beforeAll(async () => {
    ({ app, engines } = await buildWithEngines({ ...TIMEOUT, ASR_THREADS: "1", QUEUE_MAX: "1", KOKORO_MODEL: "", PIPER_DIR: "" }));
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers 503 inference_timeout, restarts its thread, and frees the slot for the next request", { timeout: 60_000 }, async () => {
    const asr = engines.asr!;
    asr.hold();
    const send = () => app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav")) });
    const stuck = send();
    await until("the first task to run", () => asr.inFlight === 1);
    const queued = send();
    await until("the second task to queue", () => asr.queueDepth === 1);

    const res = await stuck;
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
    expect(res.json().error).toMatchObject({ code: "inference_timeout", type: "server_error" });
    expect(res.json().error.message).toMatch(/INFERENCE_TIMEOUT_MS.*restarted/);

    asr.releaseHeld();
    const next = await queued;
    expect(next.statusCode).toBe(200);
    expect(next.json().text).toBe("hello world");
    expect({ inFlight: asr.inFlight, admitted: asr.admitted, loaded: asr.info?.loaded }).toEqual({ inFlight: 0, admitted: 0, loaded: true });
  });
});

describe("a streamed speech answer that fails after it started", () => {
  let app: FastifyInstance;
  let engines: SpeechEngines;
  let url: string;
  beforeAll(async () => {
    ({ app, engines } = await buildWithEngines({ ...TIMEOUT, WHISPER_MODEL: "" }));
    url = await app.listen({ host: "127.0.0.1", port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  const body = JSON.stringify({ model: "tts-1", input: "First sentence here. Second sentence here. Third one.", stream: true, response_format: "pcm" });

  it("is an error for fetch: the status was 200, reading the body fails", { timeout: 60_000 }, async () => {
    engines.tts!.hold(1); // the first sentence runs, the second is stuck until the timeout
    const res = await fetch(`${url}/v1/audio/speech`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" }, body });
    expect(res.status).toBe(200);
    await expect(res.arrayBuffer()).rejects.toThrow(/terminated/);
    engines.tts!.releaseHeld();
    await until("the stream's place to be released", () => engines.tts!.admitted === 0);
  });

  it("is an error for node:http (the response is aborted), and a complete stream is not", { timeout: 60_000 }, async () => {
    const read = () => new Promise<{ status: number; bytes: number; error: string | null }>((resolve, reject) => {
      const req = httpRequest(`${url}/v1/audio/speech`, { method: "POST", headers: { ...AUTH, "content-type": "application/json" } }, (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => { bytes += c.length; });
        res.on("error", (err) => resolve({ status: res.statusCode!, bytes, error: err.message }));
        res.on("end", () => resolve({ status: res.statusCode!, bytes, error: null }));
      });
      req.on("error", reject);
      req.end(body);
    });
    engines.tts!.hold(1);
    const cut = await read();
    expect(cut.status).toBe(200);
    expect(cut.bytes).toBeGreaterThan(0);
    expect(cut.error).toBe("aborted");
    engines.tts!.releaseHeld();
    await until("the stream's place to be released", () => engines.tts!.admitted === 0);

    const whole = await read();
    expect(whole).toMatchObject({ status: 200, error: null });
    expect(whole.bytes).toBeGreaterThan(cut.bytes);
  });
});
