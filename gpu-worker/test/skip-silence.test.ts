/**
 * VAD_SKIP_SILENCE end to end: a clip of espeak-ng speech, 20 s of silence and the speech again
 * (after 3 s of leading silence, so a timestamp that was not mapped back would show). With the
 * default (true) Whisper runs on the joined speech regions only; with false on the whole clip.
 * Same text and words either way; timestamps on the clip's timeline, inside the speech regions;
 * far fewer seconds through Whisper (speech_whisper_audio_seconds_total).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { AUTH, build, fixture, transcription } from "./helpers/build.ts";
import { encodeWav, parseWav } from "../src/pipelines/wav.ts";
import { REGION_PAD_S } from "../src/pipelines/speech-regions.ts";

const SR = 16_000;
const LEAD_S = 3;
const PAUSE_S = 20;
const speech = parseWav(fixture("speech.wav")).samples; // 16 kHz, "Hello world." / 1 s / "This is a test."
const clip = new Float32Array(LEAD_S * SR + speech.length * 2 + PAUSE_S * SR);
clip.set(speech, LEAD_S * SR);
clip.set(speech, LEAD_S * SR + speech.length + PAUSE_S * SR);
const wav = encodeWav(clip, SR);
const clipSeconds = clip.length / SR;

let on: FastifyInstance;
let off: FastifyInstance;
beforeAll(async () => {
  [on, off] = await Promise.all([
    build({ KOKORO_MODEL: "", PIPER_DIR: "" }), // VAD_SKIP_SILENCE defaults to true
    build({ KOKORO_MODEL: "", PIPER_DIR: "", VAD_SKIP_SILENCE: "false" }),
  ]);
});
afterAll(async () => {
  await Promise.all([on?.close(), off?.close()]);
});

const post = (app: FastifyInstance, fields: Record<string, string | string[]>) =>
  app.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(wav, fields) });

async function whisperSeconds(app: FastifyInstance): Promise<number> {
  const body = (await app.inject({ method: "GET", url: "/metrics", headers: AUTH })).body;
  return Number(/^speech_whisper_audio_seconds_total (\S+)$/m.exec(body)?.[1] ?? Number.NaN);
}

type Span = { start: number; end: number };
/** Inside one of the VAD regions widened by the cut padding (and Whisper's 10 ms rounding). */
const inRegions = (t: number, regions: Span[]) => regions.some((r) => t >= r.start - REGION_PAD_S - 0.01 && t <= r.end + REGION_PAD_S + 0.01);

describe("VAD_SKIP_SILENCE: Whisper hears only the speech", () => {
  const words: Record<string, string | string[]> = { response_format: "verbose_json", "timestamp_granularities[]": ["word", "segment"] };
  const formats: Array<Record<string, string | string[]>> = [words, { response_format: "verbose_json" }, {}];

  it("runs Whisper on far less audio than the clip (metrics), the old behaviour on all of it", async () => {
    const before = [await whisperSeconds(on), await whisperSeconds(off)];
    const a = (await post(on, words)).json();
    const b = (await post(off, words)).json();
    const heard = [(await whisperSeconds(on)) - before[0]!, (await whisperSeconds(off)) - before[1]!];
    expect(a.duration).toBeCloseTo(clipSeconds, 2);
    expect(heard[1]).toBeCloseTo(clipSeconds, 3);
    // Four regions (two phrases per utterance): speech + 2 × 200 ms padding each (or less where
    // merged or clamped) + 3 × 100 ms of joining silence.
    expect(a.speech_segments).toHaveLength(4);
    expect(heard[0]).toBeGreaterThan(a.speech_seconds);
    expect(heard[0]).toBeLessThanOrEqual(a.speech_seconds + 4 * 2 * REGION_PAD_S + 3 * 0.1 + 0.01);
    expect(heard[0]).toBeLessThan(clipSeconds / 4);
  });

  it("keeps the content: text, words, VAD fields and duration equal to the whole-clip run", async () => {
    for (const fields of formats) {
      const a = (await post(on, fields)).json();
      const b = (await post(off, fields)).json();
      expect(a.text).toBe("hello world");
      expect(a.text).toBe(b.text);
      expect(a.words?.map((w: { word: string }) => w.word)).toEqual(b.words?.map((w: { word: string }) => w.word));
      expect(a.segments?.map((s: { text: string }) => s.text)).toEqual(b.segments?.map((s: { text: string }) => s.text));
      for (const key of ["duration", "speech_seconds", "pause_ratio", "speech_segments"]) expect(a[key], key).toEqual(b[key]);
    }
  });

  it("maps word and segment timestamps back into the clip's speech regions", async () => {
    for (const fields of formats.slice(0, 2)) {
      const body = (await post(on, fields)).json();
      const regions = body.speech_segments as Span[];
      expect(regions[0]!.start).toBeGreaterThan(LEAD_S - 0.1);
      const spans = [...(body.words ?? []), ...body.segments] as Span[];
      expect(spans.length).toBeGreaterThan(0);
      for (const s of spans) {
        expect(s.end).toBeGreaterThanOrEqual(s.start);
        expect(inRegions(s.start, regions), `start ${s.start} in ${JSON.stringify(regions)}`).toBe(true);
        expect(inRegions(s.end, regions), `end ${s.end} in ${JSON.stringify(regions)}`).toBe(true);
        // Not the joined audio's own timeline (which starts at 0): the 3 s of lead silence are back.
        expect(s.start).toBeGreaterThanOrEqual(regions[0]!.start - REGION_PAD_S - 0.01);
        expect(s.end).toBeLessThanOrEqual(clipSeconds);
      }
    }
  });

  it("srt and vtt carry the mapped times", async () => {
    const srt = (await post(on, { response_format: "srt" })).body;
    expect(srt).toMatch(/^1\n00:00:0[2-3],\d{3} --> 00:00:\d\d,\d{3}\nhello world\n/);
  });

  it("chunks joined speech longer than 30 s and maps every chunk back", async () => {
    // 13 utterances 2 s apart: ~64 s of clip, ~32 s of joined speech (over Whisper's window).
    const gap = 2 * SR;
    const long = new Float32Array(13 * (speech.length + gap));
    for (let i = 0; i < 13; i++) long.set(speech, i * (speech.length + gap));
    const before = await whisperSeconds(on);
    const res = await on.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(encodeWav(long, SR), { response_format: "verbose_json" }) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const heard = (await whisperSeconds(on)) - before;
    expect(heard).toBeGreaterThan(30);
    expect(heard).toBeLessThan(body.duration * 0.6);
    expect(body.text).toContain("hello world");
    const regions = body.speech_segments as Span[];
    expect(regions.length).toBe(26);
    for (const s of body.segments as Span[]) {
      expect(inRegions(s.start, regions) && inRegions(s.end, regions), JSON.stringify(s)).toBe(true);
    }
    for (let i = 1; i < body.segments.length; i++) expect(body.segments[i].start).toBeGreaterThanOrEqual(body.segments[i - 1].end);
  });

  it("still skips Whisper entirely when there is no speech", async () => {
    const before = await whisperSeconds(on);
    const res = await on.inject({ method: "POST", url: "/v1/audio/transcriptions", ...transcription(encodeWav(new Float32Array(SR * 5), SR), { response_format: "verbose_json" }) });
    expect(res.json()).toMatchObject({ text: "", segments: [], speech_seconds: 0, pause_ratio: 1, duration: 5 });
    expect(await whisperSeconds(on)).toBe(before);
  });
});
