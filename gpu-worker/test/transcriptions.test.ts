/**
 * Speech-to-text end to end through inject(): real Silero VAD on espeak-ng speech, silence and
 * noise; the tiny Whisper through transformers.js; every response_format; word and segment
 * timestamps; decoding of compressed formats through ffmpeg (skipped if no ffmpeg binary).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, fixture, transcription } from "./helpers/build.ts";
import { encodeWav } from "../src/pipelines/wav.ts";
import { findFfmpeg } from "../src/pipelines/decode.ts";
import { TINY_WHISPER_EN, TINY_WHISPER_NO_WORDS } from "./fixtures/tiny-models.ts";

let app: FastifyInstance;
const speech = fixture("speech.wav");
const silence = encodeWav(new Float32Array(16_000 * 2), 16_000);

beforeAll(async () => {
  app = await build();
});
afterAll(async () => {
  await app.close();
});

const post = (file: Buffer, fields: Record<string, string | string[]> = {}, filename?: string) =>
  app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(file, fields, filename) });

describe("transcriptions", () => {
  it("json: text plus speech_seconds and pause_ratio", async () => {
    const res = await post(speech);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.text).toBe("hello world");
    expect(body.speech_seconds).toBeGreaterThan(1.2);
    expect(body.no_speech).toBe(false);
    expect(body.speech_seconds).toBeLessThan(2.9);
    expect(body.pause_ratio).toBeGreaterThan(0.1);
    expect(body.pause_ratio).toBeLessThan(0.6);
  });

  it("silence: VAD finds no speech, Whisper is skipped, text is empty", async () => {
    const res = await post(silence, { response_format: "verbose_json" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ text: "", speech_seconds: 0, pause_ratio: 1, duration: 2, segments: [] });
  });

  it("verbose_json with word and segment timestamps", async () => {
    const res = await post(speech, { response_format: "verbose_json", "timestamp_granularities[]": ["word", "segment"], language: "en" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ task: "transcribe", language: "english", text: "hello world" });
    expect(body.duration).toBeCloseTo(2.89, 1);
    expect(body.words.map((w: { word: string }) => w.word)).toEqual(["hello", "world"]);
    for (const w of body.words) expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(body.segments.length).toBeGreaterThan(0);
    expect(body.speech_segments.length).toBe(2);
  });

  it("verbose_json defaults to segments only", async () => {
    const body = (await post(speech, { response_format: "verbose_json" })).json();
    expect(body.words).toBeUndefined();
    expect(body.segments[0]).toMatchObject({ id: 0, text: " hello world" });
  });

  it("text, srt and vtt", async () => {
    const text = await post(speech, { response_format: "text" });
    expect(text.headers["content-type"]).toContain("text/plain");
    expect(text.body).toBe("hello world");
    const srt = await post(speech, { response_format: "srt" });
    expect(srt.body).toMatch(/^1\n00:00:00,000 --> 00:00:0\d,\d{3}\nhello world\n/);
    const vtt = await post(speech, { response_format: "vtt" });
    expect(vtt.headers["content-type"]).toContain("text/vtt");
    expect(vtt.body).toMatch(/^WEBVTT\n\n00:00:00\.000 --> 00:00:0\d\.\d{3}\nhello world\n/);
  });

  it("resamples a 22.05 kHz WAV parsed in JS", async () => {
    const res = await post(fixture("speech-22k.wav"), { response_format: "verbose_json" });
    expect(res.statusCode).toBe(200);
    expect(res.json().duration).toBeCloseTo(1.2, 1);
    expect(res.json().text).toBe("hello world");
  });

  it("another supported language passes through and is echoed", async () => {
    const res = await post(speech, { language: "DE", response_format: "verbose_json" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ language: "german", text: "hello world" });
    const fr = await post(speech, { language: "fr", response_format: "verbose_json" });
    expect(fr.json()).toMatchObject({ language: "french", text: "hello world" });
    const json = await post(speech, { language: "es" });
    expect(json.json().text).toBe("hello world");
  });
});

const ffmpeg = findFfmpeg();
const hasFfmpeg = spawnSync(ffmpeg, ["-version"]).status === 0;

function encode(args: string[]): Buffer {
  const out = spawnSync(ffmpeg, ["-hide_banner", "-loglevel", "error", "-f", "wav", "-i", "pipe:0", ...args, "pipe:1"], { input: speech, maxBuffer: 10 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(out.stderr.toString());
  return out.stdout;
}

/** MP4 output needs a seekable file: ffmpeg writes the `moov` index after the audio (no faststart). */
function encodeMp4(inputArgs: string[], args: string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "speech-test-"));
  try {
    const input = join(dir, "speech.wav");
    writeFileSync(input, speech);
    const out = join(dir, "out.m4a");
    const run = spawnSync(ffmpeg, ["-hide_banner", "-loglevel", "error", ...inputArgs.map((a) => (a === "SPEECH" ? input : a)), ...args, "-f", "mp4", out]);
    if (run.status !== 0) throw new Error(run.stderr.toString());
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasFfmpeg)("compressed formats through ffmpeg", () => {
  const formats: Array<[string, string[]]> = [
    ["webm", ["-c:a", "libopus", "-f", "webm"]],
    ["ogg", ["-c:a", "libopus", "-f", "ogg"]],
    ["mp3", ["-c:a", "libmp3lame", "-f", "mp3"]],
    ["flac", ["-c:a", "flac", "-f", "flac"]],
    ["aac", ["-c:a", "aac", "-f", "adts"]],
  ];
  it.each(formats)("%s", async (ext, args) => {
    const res = await post(encode(args), { response_format: "verbose_json" }, `answer.${ext}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().text).toBe("hello world");
    expect(res.json().duration).toBeGreaterThan(2.5);
    expect(res.json().duration).toBeLessThan(3.3);
  });

  it("m4a (MP4 container, moov after mdat)", async () => {
    const m4a = encodeMp4(["-i", "SPEECH"], ["-c:a", "aac"]);
    expect(m4a.subarray(4, 8).toString("latin1")).toBe("ftyp");
    expect(m4a.indexOf("moov")).toBeGreaterThan(m4a.indexOf("mdat"));
    const res = await post(m4a, { response_format: "verbose_json" }, "answer.m4a");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().text).toBe("hello world");
    expect(res.json().duration).toBeGreaterThan(2.5);
  });

  it("a phone-style m4a over 1 MB with moov at the end (needs a seekable input)", async () => {
    // 13 loops of the fixture (37.6 s) with faint noise, stereo 48 kHz AAC: ~1.2 MB, moov last.
    const m4a = encodeMp4(
      ["-stream_loop", "12", "-i", "SPEECH", "-f", "lavfi", "-i", "anoisesrc=a=0.01:r=48000:c=white"],
      ["-filter_complex", "[0:a]aresample=48000[s];[s][1:a]amix=inputs=2:duration=first", "-ac", "2", "-c:a", "aac", "-b:a", "320k"],
    );
    expect(m4a.length).toBeGreaterThan(1024 * 1024);
    expect(m4a.indexOf("moov")).toBeGreaterThan(m4a.indexOf("mdat"));
    const res = await post(m4a, { response_format: "verbose_json" }, "recording.m4a");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().duration).toBeCloseTo(37.6, 0);
    expect(res.json().text).toContain("hello world");
  });
});

describe("long audio and model capabilities", () => {
  // The whole clip through Whisper (VAD_SKIP_SILENCE=false), so its 40 s are chunked; with the
  // default, Whisper would hear only the ~5 s of speech (test/skip-silence.test.ts).
  let whole: FastifyInstance;
  beforeAll(async () => {
    whole = await build({ VAD_SKIP_SILENCE: "false", KOKORO_MODEL: "", PIPER_DIR: "" });
  });
  afterAll(async () => {
    await whole.close();
  });

  it("chunks audio longer than 30 s", async () => {
    const speechSamples = (await import("../src/pipelines/wav.ts")).parseWav(speech).samples;
    const long = new Float32Array(16_000 * 40);
    long.set(speechSamples, 0);
    long.set(speechSamples, 16_000 * 36);
    const res = await whole.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(encodeWav(long, 16_000), { response_format: "verbose_json" }) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.duration).toBe(40);
    expect(body.text).toBe("hello world");
    // Both utterances, each two phrases ("Hello world." / pause / "This is a test."), in order:
    // two regions in the first 3 s, two 36-39 s, none between.
    const regions = body.speech_segments as Array<{ start: number; end: number }>;
    expect(regions).toHaveLength(4);
    for (let i = 0; i < regions.length; i++) {
      expect(regions[i]!.end).toBeGreaterThan(regions[i]!.start);
      if (i > 0) expect(regions[i]!.start).toBeGreaterThan(regions[i - 1]!.end);
    }
    expect(regions[1]!.end).toBeLessThan(3);
    expect(regions[2]!.start).toBeGreaterThan(36);
    expect(regions[3]!.end).toBeLessThan(39);
    expect(body.speech_seconds).toBeCloseTo(2 * (regions[0]!.end - regions[0]!.start + regions[1]!.end - regions[1]!.start), 1);
    // Whisper's segments span the whole clip. The tiny model says " hello world" for every 30 s
    // window with speech, and the pipeline's chunk merge folds the two identical windows into one
    // text, so the second utterance shows in VAD, not as a second Whisper segment.
    expect(body.segments.length).toBeGreaterThanOrEqual(1);
    expect(body.segments[0].start).toBe(0);
    expect(body.segments.at(-1).end).toBe(40);
    for (let i = 1; i < body.segments.length; i++) expect(body.segments[i].start).toBeGreaterThanOrEqual(body.segments[i - 1].end);
  });

  it("reports word-timestamp support in /health", async () => {
    const health = (await app.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.asr.word_timestamps).toBe(true);
  });
});

describe("a Whisper export without alignment heads", () => {
  let plain: FastifyInstance;
  beforeAll(async () => {
    plain = await build({ WHISPER_MODEL: TINY_WHISPER_NO_WORDS, KOKORO_MODEL: "", PIPER_DIR: "" });
  });
  afterAll(async () => {
    await plain.close();
  });
  it("refuses word timestamps with 400 and a reason, still serves segments", async () => {
    const words = await plain.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech, { response_format: "verbose_json", "timestamp_granularities[]": "word" }) });
    expect(words.statusCode).toBe(400);
    expect(words.json().error.message).toMatch(/alignment_heads/);
    const segments = await plain.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech, { response_format: "verbose_json" }) });
    expect(segments.statusCode).toBe(200);
    const health = (await plain.inject({ method: "GET", url: "/health" })).json();
    expect(health.models.tts).toEqual({ enabled: false });
    expect(health.status).toBe("ok");
  });
});

describe("an English-only Whisper (is_multilingual false)", () => {
  let en: FastifyInstance;
  beforeAll(async () => {
    // WARMUP on: the warm-up transcription must not pass language/task either.
    en = await build({ WHISPER_MODEL: TINY_WHISPER_EN, KOKORO_MODEL: "", PIPER_DIR: "", WARMUP: "true" });
  });
  afterAll(async () => {
    await en.close();
  });
  const send = (fields: Record<string, string | string[]>) =>
    en.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech, fields) });

  it("loads, reports itself English-only, and transcribes without language/task", async () => {
    const health = await en.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json().models.asr).toMatchObject({ loaded: true, multilingual: false, languages: ["en"] });
    const cases: Array<Record<string, string | string[]>> = [{}, { language: "en" }, { language: "en", response_format: "verbose_json", "timestamp_granularities[]": ["word", "segment"] }];
    for (const fields of cases) {
      const res = await send(fields);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().text).toBe("hello world");
    }
  });

  it("refuses any other language with an OpenAI-shaped 400", async () => {
    const res = await send({ language: "de" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "unsupported_language", type: "invalid_request_error", param: "language" });
    expect(res.json().error.message).toMatch(/English-only.*'en'/);
  });
});

describe("without a runnable ffmpeg (FFMPEG_PATH pointing nowhere)", () => {
  let noFfmpeg: FastifyInstance;
  beforeAll(async () => {
    noFfmpeg = await build({ FFMPEG_PATH: "/nonexistent/bin/ffmpeg", KOKORO_MODEL: "", PIPER_DIR: "" });
  });
  afterAll(async () => {
    await noFfmpeg.close();
  });

  it("health stays ok and reports ffmpeg false; WAV still works; other formats are 503, not the client's 400", async () => {
    const health = await noFfmpeg.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: "ok", ffmpeg: false });
    const wav = await noFfmpeg.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(speech) });
    expect(wav.statusCode).toBe(200);
    const mp3ish = Buffer.concat([Buffer.from("ID3\x04\x00\x00\x00\x00\x00\x00"), Buffer.alloc(2000, 0x55)]);
    const res = await noFfmpeg.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(mp3ish, {}, "answer.mp3") });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: "unavailable", type: "server_error" });
    expect(res.json().error.message).toMatch(/ffmpeg could not run.*WAV uploads still work/);
    expect(res.headers["retry-after"]).toBeDefined();
  });

  it.skipIf(!hasFfmpeg)("the default app reports ffmpeg true", async () => {
    expect((await app.inject({ method: "GET", url: "/health" })).json().ffmpeg).toBe(true);
  });
});
