/**
 * GET /v1/realtime?intent=transcription end to end: the real app listening on loopback, the
 * tiny Whisper and the real Silero VAD, a real WebSocket client, speech made by espeak-ng
 * streamed in 20–100 ms frames. The tiny Whisper says "hello world" to any speech (README,
 * Tests), so these check the protocol and the turn logic, not recognition quality.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AUTH, build } from "./helpers/build.ts";
import { TINY_WHISPER_THANKS } from "./fixtures/tiny-models.ts";
import { espeak, noisePcm, RealtimeClient, silencePcm, speechBounds } from "./helpers/realtime-client.ts";

let app: FastifyInstance;
let url: string;
let speech: Buffer;
let short: Buffer;

beforeAll(async () => {
  app = await build({ REALTIME_PARTIAL_INTERVAL_MS: "300", REALTIME_MAX_SESSIONS: "4" });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as { port: number };
  url = `ws://127.0.0.1:${port}/v1/realtime?intent=transcription`;
  speech = espeak("Hello world. This is a test of streaming speech, spoken in one breath, from start to finish.");
  short = espeak("Hello world, this is a test.");
});
afterEach(async () => {
  await RealtimeClient.closeAll();
});
afterAll(async () => {
  await app.close();
});

const connect = () => RealtimeClient.connect(url, { ...AUTH, "x-request-id": "req-test-1" });

describe("realtime transcription: turns", () => {
  it("streams espeak speech in 40 ms frames: speech_started, deltas, speech_stopped, committed, completed with words", async () => {
    const c = await connect();
    c.send({ type: "transcription_session.update", session: { turn_detection: { type: "server_vad", silence_duration_ms: 500, prefix_padding_ms: 300 } } });
    const updated = await c.next("transcription_session.updated");
    expect((updated.session as { turn_detection: unknown }).turn_detection).toEqual({ type: "server_vad", threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500 });
    const lead = silencePcm(0.6);
    const audio = Buffer.concat([lead, speech, silencePcm(1.2)]);
    await c.stream(audio, 40, true);
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    const types = c.types().filter((t) => t.startsWith("input_audio_buffer") || t.startsWith("conversation"));
    const started = c.events.find((e) => e.type === "input_audio_buffer.speech_started")!;
    const stopped = c.events.find((e) => e.type === "input_audio_buffer.speech_stopped")!;
    const deltas = c.events.filter((e) => e.type === "conversation.item.input_audio_transcription.delta");
    // Order: started, deltas while speaking, stopped, committed, completed; all the same item.
    expect(types[0]).toBe("input_audio_buffer.speech_started");
    expect(types.slice(-3)).toEqual(["input_audio_buffer.speech_stopped", "input_audio_buffer.committed", "conversation.item.input_audio_transcription.completed"]);
    expect(deltas.length).toBeGreaterThan(0);
    expect(types.slice(1, -3).every((t) => t === "conversation.item.input_audio_transcription.delta")).toBe(true);
    for (const e of [stopped, completed, ...deltas]) expect(e.item_id).toBe(started.item_id);
    expect(deltas[0]).toMatchObject({ delta: "hello world", replace: true, content_index: 0 });
    // Where the speech is: the lead silence plus espeak's own onset, and its end.
    const bounds = speechBounds(speech);
    const onsetMs = 600 + bounds.startMs;
    const endMs = 600 + bounds.endMs;
    expect(started.audio_start_ms as number).toBeGreaterThan(onsetMs - 100);
    expect(started.audio_start_ms as number).toBeLessThan(onsetMs + 300);
    expect(stopped.audio_end_ms as number).toBeGreaterThan(endMs - 300);
    expect(stopped.audio_end_ms as number).toBeLessThan(endMs + 300);
    expect(completed).toMatchObject({ transcript: "hello world", no_speech: false, discarded: null, audio_start_ms: started.audio_start_ms, audio_end_ms: stopped.audio_end_ms });
    const words = completed.words as Array<{ word: string; start: number; end: number }>;
    expect(words.map((w) => w.word)).toEqual(["hello", "world"]);
    for (const w of words) {
      // On the session's timeline: inside the committed turn (speech start − 300 ms prefix … speech end + silence).
      expect(w.start).toBeGreaterThanOrEqual((started.audio_start_ms as number) / 1000 - 0.31);
      expect(w.end).toBeLessThanOrEqual((stopped.audio_end_ms as number) / 1000 + 0.6);
      expect(w.end).toBeGreaterThanOrEqual(w.start);
    }
    expect(completed.speech_seconds as number).toBeGreaterThan(1);
    c.close();
  });

  it("two turns in one session, 20 ms and 100 ms frames: two items, the second's previous_item_id is the first", async () => {
    const c = await connect();
    await c.stream(Buffer.concat([short, silencePcm(1)]), 20, true);
    const first = await c.next("conversation.item.input_audio_transcription.completed");
    const from = c.events.indexOf(first) + 1;
    await c.stream(Buffer.concat([short, silencePcm(1)]), 100, true);
    const second = await c.next("conversation.item.input_audio_transcription.completed", from);
    const committed = c.events.filter((e) => e.type === "input_audio_buffer.committed");
    expect(committed).toHaveLength(2);
    expect(committed[1]!.previous_item_id).toBe(first.item_id);
    expect(second.item_id).not.toBe(first.item_id);
    expect(second.transcript).toBe("hello world");
    const started = c.events.filter((e) => e.type === "input_audio_buffer.speech_started");
    expect(started[1]!.audio_start_ms as number).toBeGreaterThan((short.length / 2 + 16_000) / 16 - 100);
    c.close();
  });

  it("pure silence: no turn events; a commit gives completed with an empty transcript and no_speech", async () => {
    const c = await connect();
    await c.stream(silencePcm(3), 100, false);
    c.send({ type: "input_audio_buffer.commit" });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed).toMatchObject({ transcript: "", no_speech: true, words: [] });
    expect(c.types()).not.toContain("input_audio_buffer.speech_started");
    expect(c.types()).toContain("input_audio_buffer.committed");
    c.close();
  });

  it("white noise: no turn events and no speech (Silero hears none; Whisper is not run)", async () => {
    const c = await connect();
    await c.stream(noisePcm(3, 0.3), 50, false);
    c.send({ type: "input_audio_buffer.commit" });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed).toMatchObject({ transcript: "", no_speech: true });
    expect(c.types()).not.toContain("input_audio_buffer.speech_started");
    c.close();
  });

  it("push to talk (turn_detection null): no VAD events; commit transcribes the whole buffer", async () => {
    const c = await connect();
    c.send({ type: "transcription_session.update", session: { turn_detection: null } });
    await c.next("transcription_session.updated");
    await c.stream(Buffer.concat([speech, silencePcm(1)]), 100, false);
    c.send({ type: "input_audio_buffer.commit" });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed.transcript).toBe("hello world");
    expect(c.types().filter((t) => t.includes("speech_"))).toEqual([]);
    c.close();
  });

  it("binary messages are pcm16 appends (extension)", async () => {
    const c = await connect();
    const audio = Buffer.concat([speech, silencePcm(1)]);
    for (let at = 0; at < audio.length; at += 1280) c.socket.send(audio.subarray(at, at + 1280));
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed.transcript).toBe("hello world");
    c.close();
  });

  it("clear drops the buffer and the turn in progress", async () => {
    const c = await connect();
    await c.stream(speech.subarray(0, Math.floor(speech.length / 4) * 2), 100, false);
    c.send({ type: "input_audio_buffer.clear" });
    await c.next("input_audio_buffer.cleared");
    const from = c.events.length;
    c.send({ type: "input_audio_buffer.commit" });
    const err = await c.next("error", from);
    expect((err.error as { code: string }).code).toBe("input_audio_buffer_commit_empty");
    c.close();
  });
});

describe("realtime transcription: bad input", () => {
  it("each bad event gets an error event with its code and the connection stays up", async () => {
    const c = await connect();
    const cases: Array<[object | string, string, string | null]> = [
      ["{not json", "invalid_json", null],
      [{ type: "response.create" }, "unknown_event", "type"],
      [{ no: "type" }, "unknown_event", "type"],
      [{ type: "input_audio_buffer.append", audio: "not base64!!" }, "invalid_audio", "audio"],
      [{ type: "input_audio_buffer.append", audio: Buffer.from([1, 2, 3]).toString("base64") }, "invalid_audio", "audio"],
      [{ type: "input_audio_buffer.append" }, "invalid_audio", "audio"],
      [{ type: "transcription_session.update", session: { input_audio_format: "g711_ulaw" } }, "invalid_event", "session.input_audio_format"],
      [{ type: "transcription_session.update", session: { turn_detection: { type: "semantic_vad" } } }, "invalid_event", "session.turn_detection.type"],
      [{ type: "transcription_session.update", session: { turn_detection: { type: "server_vad", threshold: 2 } } }, "invalid_event", "session.turn_detection.threshold"],
      [{ type: "transcription_session.update", session: { input_audio_transcription: { model: "nope" } } }, "model_not_found", "session.input_audio_transcription.model"],
      [{ type: "transcription_session.update", session: { input_audio_transcription: { language: "zz" } } }, "unsupported_language", "session.input_audio_transcription.language"],
      [{ type: "input_audio_buffer.commit", event_id: "evt_client_1" }, "input_audio_buffer_commit_empty", null],
    ];
    for (const [event, code, param] of cases) {
      const from = c.events.length;
      c.send(event);
      const err = await c.next("error", from);
      expect(err.error, JSON.stringify(event)).toMatchObject({ code, param, type: "invalid_request_error" });
    }
    const last = c.events.at(-1)!;
    expect((last.error as { event_id: string }).event_id).toBe("evt_client_1");
    // Still up: an update is answered.
    const from = c.events.length;
    c.send({ type: "transcription_session.update", session: { input_audio_transcription: { language: "de" } } });
    const updated = await c.next("transcription_session.updated", from);
    expect((updated.session as { input_audio_transcription: { language: string } }).input_audio_transcription.language).toBe("de");
    c.close();
  });

  it("refuses the upgrade without the bearer key (401), without intent=transcription (400), and beyond REALTIME_MAX_SESSIONS (429)", async () => {
    const status = (u: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(u, { headers });
        ws.on("unexpected-response", (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
        ws.on("open", () => { ws.close(); reject(new Error("upgraded")); });
        ws.on("error", () => undefined);
      });
    expect(await status(url, {})).toBe(401);
    expect(await status(url, { authorization: "Bearer wrong" })).toBe(401);
    expect(await status(url.replace("?intent=transcription", ""), AUTH)).toBe(400);
    expect(await status(url.replace("transcription", "conversation"), AUTH)).toBe(400);
    const open = await Promise.all([connect(), connect(), connect(), connect()]);
    expect(await status(url, AUTH)).toBe(429);
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));
  });
});


describe("no invented answers, end to end", () => {
  let thanks: FastifyInstance;
  let thanksUrl: string;
  beforeAll(async () => {
    thanks = await build({ WHISPER_MODEL: TINY_WHISPER_THANKS });
    await thanks.listen({ host: "127.0.0.1", port: 0 });
    thanksUrl = `ws://127.0.0.1:${(thanks.server.address() as { port: number }).port}/v1/realtime?intent=transcription`;
  });
  afterAll(async () => {
    await thanks.close();
  });

  it("a Whisper that writes \"thank you.\" for the turn: completed with an empty transcript, no_speech and what was dropped", async () => {
    const c = await RealtimeClient.connect(thanksUrl, AUTH);
    await c.stream(Buffer.concat([speech, silencePcm(1)]), 100, false);
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed).toMatchObject({ transcript: "", no_speech: true, words: [], discarded: { kind: "no_speech", reason: "known_phrase", text: "thank you." } });
    // Partials never show the invention either.
    expect(c.events.filter((e) => e.type === "conversation.item.input_audio_transcription.delta")).toEqual([]);
    expect(c.types()).toContain("input_audio_buffer.speech_started");
  });

  it("the HTTP transcription route drops it too (empty text)", async () => {
    const { fixture, transcription } = await import("./helpers/build.ts");
    const res = await thanks.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(fixture("speech.wav"), { response_format: "verbose_json", "timestamp_granularities[]": "word" }) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ text: "", words: [], no_speech: true, discarded: { kind: "no_speech", reason: "known_phrase", text: "thank you." } });
    expect(res.json().speech_seconds).toBeGreaterThan(1); // VAD heard speech: it is Whisper's text that was dropped
  });
});
