/**
 * The realtime endpoint's failure paths on a real socket: a final transcription refused by a
 * full ASR queue (`failed`, queue_full), a buffer past MAX_AUDIO_SECONDS (`error`
 * buffer_too_long, the audio not added), a session closed mid-turn (its place is freed), and no
 * Whisper loaded (503 before the upgrade). Threads are held busy with EnginePool.hold, not timing.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { AUTH, build, transcription } from "./helpers/build.ts";
import { encodeWav } from "../src/pipelines/wav.ts";
import { buildWithEngines } from "./helpers/engines.ts";
import type { SpeechEngines } from "../src/plugins/speech.ts";
import { espeak, RealtimeClient, silencePcm } from "./helpers/realtime-client.ts";

let app: FastifyInstance;
let engines: SpeechEngines;
let url: string;
let speech: Buffer;

/** Polls a condition on the app's state (not a duration: it only waits for the state to be reached). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 12_000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  ({ app, engines } = await buildWithEngines({ QUEUE_MAX: "0", ASR_THREADS: "1", MAX_AUDIO_SECONDS: "2", REALTIME_MAX_SESSIONS: "1" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  url = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/realtime?intent=transcription`;
  speech = espeak("Hello world.");
});
afterEach(async () => {
  await RealtimeClient.closeAll();
});
afterAll(async () => {
  await app.close();
});

const pushToTalk = async () => {
  const c = await RealtimeClient.connect(url, AUTH);
  c.send({ type: "transcription_session.update", session: { turn_detection: null } });
  await c.next("transcription_session.updated");
  return c;
};

describe("realtime failures", () => {
  it("a final transcription the full ASR queue refuses is a `failed` event with queue_full; the session goes on", async () => {
    const asr = engines.asr!;
    asr.hold();
    // A 1 s clip (MAX_AUDIO_SECONDS is 2 here) to hold the only ASR thread.
    const running = app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(encodeWav(new Float32Array(16_000), 16_000)) });
    await until("the HTTP transcription to hold the only thread", () => asr.inFlight === 1);
    const c = await pushToTalk();
    c.append(speech);
    c.send({ type: "input_audio_buffer.commit" });
    const failed = await c.next("conversation.item.input_audio_transcription.failed");
    const committed = await c.next("input_audio_buffer.committed");
    expect(failed.item_id).toBe(committed.item_id);
    expect(failed.error).toMatchObject({ type: "rate_limit_error", code: "queue_full" });
    asr.releaseHeld();
    expect((await running).statusCode).toBe(200);
    // The next turn is transcribed.
    c.append(speech);
    c.send({ type: "input_audio_buffer.commit" });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed.transcript).toBe("hello world");
  });

  it("audio past MAX_AUDIO_SECONDS is refused with buffer_too_long and not added; a commit transcribes what was kept", async () => {
    const c = await pushToTalk();
    c.append(Buffer.concat([silencePcm(0.3), speech.subarray(0, Math.min(speech.length, 16_000 * 2 * 1.5))]));
    c.append(silencePcm(1));
    const err = await c.next("error");
    expect(err.error).toMatchObject({ code: "buffer_too_long", param: "audio" });
    c.send({ type: "input_audio_buffer.commit" });
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    expect(completed.audio_end_ms as number).toBeLessThanOrEqual(2000);
  });

  it("a session closed mid-turn frees its place (REALTIME_MAX_SESSIONS 1) and its late transcript goes nowhere", async () => {
    const c = await RealtimeClient.connect(url, AUTH);
    await c.stream(speech, 100, false);
    c.send({ type: "input_audio_buffer.commit" });
    c.close();
    await c.closed;
    let next: RealtimeClient | null = null;
    await until("the freed place to admit a new session", () => {
      if (!next) void RealtimeClient.connect(url, AUTH).then((n) => { next = n; }, () => undefined);
      return next !== null;
    });
    expect(next!.events[0]!.type).toBe("transcription_session.created");
  });
});

describe("realtime without Whisper", () => {
  it("refuses the upgrade with 503 model_not_loaded", async () => {
    const down = await build({ WHISPER_MODEL: "no-such-model" });
    await down.listen({ host: "127.0.0.1", port: 0 });
    try {
      const u = `ws://127.0.0.1:${(down.server.address() as { port: number }).port}/v1/realtime?intent=transcription`;
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(u, { headers: AUTH });
        ws.on("unexpected-response", (_req, res) => {
          let body = "";
          res.on("data", (c: Buffer) => { body += c.toString(); });
          res.on("end", () => { expect(JSON.parse(body).error.code).toBe("model_not_loaded"); resolve(res.statusCode ?? 0); ws.terminate(); });
        });
        ws.on("open", () => reject(new Error("upgraded")));
        ws.on("error", () => undefined);
      });
      expect(status).toBe(503);
    } finally {
      await down.close();
    }
  });
});
