/**
 * Refusing before spending: a transcription that cannot be served is answered before any byte of
 * its body is read (full engine: 429; declared Content-Length past the limit: 413), so the client
 * gets the answer while its body is still unsent (speech too: 429 before its JSON); a client that asks first (`Expect:
 * 100-continue`) gets the refusal instead of "100 Continue" and never sends its body. The
 * engine is held busy with EnginePool.hold (a task blocked in its thread), not by timing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { API_KEY, fixture, transcription } from "./helpers/build.ts";
import { buildWithEngines } from "./helpers/engines.ts";
import type { SpeechEngines } from "../src/plugins/speech.ts";

/** Sends only the request head (declaring `contentLength` bytes of body) and resolves with the response. */
function headOnly(port: number, contentLength: number, path = "/v1/audio/transcriptions", contentType = "multipart/form-data; boundary=x"): Promise<{ res: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: "127.0.0.1", port, path, method: "POST",
      headers: { authorization: `Bearer ${API_KEY}`, "content-type": contentType, "content-length": String(contentLength) },
    });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => { body += c.toString(); });
      res.on("end", () => { req.destroy(); resolve({ res, body }); });
    });
    req.on("error", reject);
    req.flushHeaders(); // the head goes out; no byte of the body ever does
  });
}

/**
 * A request with `Expect: 100-continue` that sends its body only once the server says "100
 * Continue", as curl does for large uploads; resolves with whether the 100 came and the answer.
 */
function askingFirst(port: number, path: string, payload: Buffer, headers: Record<string, string>): Promise<{ continued: boolean; status: number; connection: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = httpRequest({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, expect: "100-continue", "content-length": String(payload.length) } });
    req.on("continue", () => { continued = true; req.end(payload); });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (c: Buffer) => { body += c.toString(); });
      res.on("end", () => { req.destroy(); resolve({ continued, status: res.statusCode!, connection: res.headers.connection, body }); });
    });
    req.on("error", reject);
    req.flushHeaders();
  });
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe("refusals before the body is read", () => {
  let app: FastifyInstance;
  let engines: SpeechEngines;
  let port: number;
  beforeAll(async () => {
    ({ app, engines } = await buildWithEngines({ QUEUE_MAX: "0", ASR_THREADS: "1", RETRY_AFTER_SECONDS: "4", MAX_UPLOAD_BYTES: "1000000", TTS_THREADS: "1" }));
    await app.listen({ host: "127.0.0.1", port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
  });

  it("answers 429 queue_full while the engine is full, without waiting for the upload", async () => {
    const asr = engines.asr!;
    asr.hold();
    const running = app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav")) });
    await until("the first request to be admitted", () => asr.admitted === 1 && asr.inFlight === 1);

    const { res, body } = await headOnly(port, 900_000);
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("4");
    expect(JSON.parse(body).error.code).toBe("queue_full");
    expect(asr.admitted, "the refused request took no place").toBe(1);

    asr.releaseHeld();
    const first = await running;
    expect(first.statusCode).toBe(200);
    expect(first.json().text).toBe("hello world");
    expect(asr.admitted).toBe(0);
  });

  it("with Expect: 100-continue, refuses a full engine before the client sends its body, and closes", async () => {
    const asr = engines.asr!;
    const upload = transcription(fixture("speech.wav"));
    asr.hold();
    const running = app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav")) });
    await until("the first request to be admitted", () => asr.admitted === 1);
    const refused = await askingFirst(port, "/v1/audio/transcriptions", upload.payload, upload.headers);
    expect(refused).toMatchObject({ continued: false, status: 429, connection: "close" });
    asr.releaseHeld();
    expect((await running).statusCode).toBe(200);

    const served = await askingFirst(port, "/v1/audio/transcriptions", upload.payload, upload.headers);
    expect(served).toMatchObject({ continued: true, status: 200 });
    expect(JSON.parse(served.body).text).toBe("hello world");
  });

  it("refuses speech with 429 before its JSON body is sent while the TTS engine is full", async () => {
    const tts = engines.tts!;
    tts.hold();
    const running = app.inject({ method: "POST", url: "/v1/audio/speech", headers: { authorization: `Bearer ${API_KEY}` }, payload: { model: "tts-1", input: "Hello." } });
    await until("the speech request to be admitted", () => tts.admitted === 1);
    const { res, body } = await headOnly(port, 200, "/v1/audio/speech", "application/json");
    expect(res.statusCode).toBe(429);
    expect(JSON.parse(body).error.code).toBe("queue_full");
    tts.releaseHeld();
    expect((await running).statusCode).toBe(200);
  });

  it("with Expect: 100-continue, other routes get their 100 after auth; a wrong key is refused without it", async () => {
    const json = Buffer.from(JSON.stringify({ model: "tts-1", input: "Hello." }));
    const spoken = await askingFirst(port, "/v1/audio/speech", json, { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" });
    expect(spoken).toMatchObject({ continued: true, status: 200 });
    const unauthorised = await askingFirst(port, "/v1/audio/speech", json, { authorization: "Bearer wrong", "content-type": "application/json" });
    expect(unauthorised).toMatchObject({ continued: false, status: 401, connection: "close" });
  });

  it("answers 413 to a declared Content-Length past MAX_UPLOAD_BYTES before reading it", async () => {
    const { res, body } = await headOnly(port, 500_000_000);
    expect(res.statusCode).toBe(413);
    expect(JSON.parse(body).error).toMatchObject({ code: "file_too_large", param: "file" });
    expect(JSON.parse(body).error.message).toMatch(/500000000 bytes.*MAX_UPLOAD_BYTES/);
  });

  it("still reads a declared length within the limit, and enforces the limit while streaming", async () => {
    const ok = await app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav")) });
    expect(ok.statusCode).toBe(200);
    // Chunked (no Content-Length): nothing to refuse up front; busboy cuts the file at the limit.
    const big = transcription(Buffer.alloc(1_100_000, 1), {}, "big.bin");
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/v1/audio/transcriptions", method: "POST", headers: { ...big.headers, "transfer-encoding": "chunked" } }, (r) => {
        let body = "";
        r.on("data", (c: Buffer) => { body += c.toString(); });
        r.on("end", () => resolve({ status: r.statusCode!, body }));
      });
      req.on("error", reject);
      for (let at = 0; at < big.payload.length; at += 64 * 1024) req.write(big.payload.subarray(at, at + 64 * 1024));
      req.end();
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe("file_too_large");
  });
});
