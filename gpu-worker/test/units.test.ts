/**
 * Pure modules on their own: config validation, the WAV parser/encoder, the resampler, text
 * normalisation and splitting, SRT/VTT formatting and VAD segmentation rules. No models.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { AudioTooLongError, encodeWav, parseWav, readWavFormat, WavError } from "../src/pipelines/wav.ts";
import { f32leToFloat32 } from "../src/pipelines/decode.ts";
import { resample, resampleDirect } from "../src/pipelines/resample.ts";
import { normaliseText, splitPunctuation, splitSentences } from "../src/pipelines/text.ts";
import { toSrt, toVtt } from "../src/pipelines/formats.ts";
import { regionsFromProbabilities } from "../src/pipelines/vad.ts";
import { segmentsFromWords } from "../src/pipelines/asr.ts";

describe("config", () => {
  it("has defaults", () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8788);
    expect(c.DEVICE).toBe("auto");
    expect(c.MAX_UPLOAD_BYTES).toBe(25 * 1024 * 1024);
  });
  it("coerces and rejects with the variable named", () => {
    expect(loadConfig({ PORT: "9000", WARMUP: "false" })).toMatchObject({ PORT: 9000, WARMUP: false });
    expect(() => loadConfig({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ DEVICE: "tpu" })).toThrow(ConfigError);
    expect(() => loadConfig({ REQUIRE_API_KEY: "true" })).toThrow(/SPEECH_API_KEY/);
  });
  it("keeps an explicit empty value where it disables something, defaults elsewhere", () => {
    expect(loadConfig({ WHISPER_MODEL: "", KOKORO_MODEL: "", PORT: "" })).toMatchObject({ WHISPER_MODEL: "", KOKORO_MODEL: "", PORT: 8788 });
  });
});

function wavBytes(format: number, bits: number, channels: number, rate: number, frames: number, write: (view: DataView, offset: number, i: number, c: number) => void): Uint8Array {
  const bps = bits / 8;
  const data = frames * channels * bps;
  const buf = new Uint8Array(44 + data);
  const v = new DataView(buf.buffer);
  const str = (o: number, s: string) => [...s].forEach((ch, i) => v.setUint8(o + i, ch.charCodeAt(0)));
  str(0, "RIFF"); v.setUint32(4, 36 + data, true); str(8, "WAVE"); str(12, "fmt ");
  v.setUint32(16, 16, true); v.setUint16(20, format, true); v.setUint16(22, channels, true); v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels * bps, true); v.setUint16(32, channels * bps, true); v.setUint16(34, bits, true);
  str(36, "data"); v.setUint32(40, data, true);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) write(v, 44 + (i * channels + c) * bps, i, c);
  return buf;
}

describe("wav", () => {
  it("round-trips 16-bit PCM", () => {
    const samples = Float32Array.from({ length: 100 }, (_v, i) => Math.sin(i / 5) * 0.8);
    const out = parseWav(encodeWav(samples, 16_000));
    expect(out.sampleRate).toBe(16_000);
    out.samples.forEach((s, i) => expect(s).toBeCloseTo(samples[i]!, 3));
  });
  it("reads 8/24/32-bit integer, float32 and downmixes stereo", () => {
    expect(parseWav(wavBytes(1, 8, 1, 8000, 4, (v, o) => v.setUint8(o, 192))).samples[0]).toBeCloseTo(0.5);
    expect(parseWav(wavBytes(1, 24, 1, 8000, 4, (v, o) => { v.setUint8(o, 0); v.setUint8(o + 1, 0); v.setInt8(o + 2, -64); })).samples[0]).toBeCloseTo(-0.5);
    expect(parseWav(wavBytes(1, 32, 1, 8000, 4, (v, o) => v.setInt32(o, 2 ** 30, true))).samples[0]).toBeCloseTo(0.5);
    expect(parseWav(wavBytes(3, 32, 1, 8000, 4, (v, o) => v.setFloat32(o, 0.25, true))).samples[0]).toBeCloseTo(0.25);
    const stereo = parseWav(wavBytes(3, 32, 2, 44_100, 4, (v, o, _i, c) => v.setFloat32(o, c === 0 ? 1 : 0, true)));
    expect(stereo.samples[0]).toBeCloseTo(0.5);
    expect(stereo.sampleRate).toBe(44_100);
  });
  it("refuses too-long audio from the header, before converting samples", () => {
    // 8-bit 8 kHz: 25 MB would be 3200 s; here 20 s claimed, limit 10 s.
    const long = wavBytes(1, 8, 1, 8000, 8000 * 20, () => undefined);
    expect(() => parseWav(long, { maxSeconds: 10 })).toThrow(AudioTooLongError);
    expect(() => parseWav(long, { maxSeconds: 10 })).toThrow(/20\.0 s, more than 10 s/);
    expect(parseWav(long, { maxSeconds: 20 }).samples.length).toBe(160_000);
    // The check needs no samples: the header alone (readWavFormat, which converts none) refuses
    // 601 s, and parseWav refuses through it. How much faster that is than a parse is in the bench.
    const header = wavBytes(1, 16, 1, 16_000, 0, () => undefined);
    new DataView(header.buffer).setUint32(40, 601 * 16_000 * 2, true);
    const claimed = new Uint8Array(header.length + 601 * 16_000 * 2);
    claimed.set(header);
    expect(() => readWavFormat(claimed, { maxSeconds: 600 })).toThrow(/601\.0 s, more than 600 s/);
    expect(() => parseWav(claimed, { maxSeconds: 600 })).toThrow(AudioTooLongError);
    expect(readWavFormat(claimed, { maxSeconds: 601 })).toMatchObject({ frames: 601 * 16_000, sampleRate: 16_000, dataStart: 44 });
  });
  it("rejects non-WAV and unsupported encodings", () => {
    expect(() => parseWav(new Uint8Array(10))).toThrow(WavError);
    expect(() => parseWav(wavBytes(2, 4, 1, 8000, 4, () => undefined))).toThrow(/unsupported/);
  });
});

describe("ffmpeg f32le output", () => {
  it("is viewed as Float32 across chunks split inside a sample, at any byte offset", () => {
    const values = Float32Array.from({ length: 1001 }, (_v, i) => Math.sin(i / 7) * 0.9);
    const bytes = new Uint8Array(values.buffer);
    // Chunks of odd sizes, each a view at an odd offset into a larger buffer.
    const chunks: Uint8Array[] = [];
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 3 + 1) % 97 + 1) {
      const piece = bytes.subarray(at, Math.min(at + size, bytes.length));
      const host = new Uint8Array(piece.length + 3);
      host.set(piece, 3);
      chunks.push(host.subarray(3));
    }
    chunks.push(new Uint8Array([1, 2])); // a trailing partial sample is dropped
    const out = f32leToFloat32(chunks);
    expect(out.length).toBe(1001);
    expect(Array.from(out)).toEqual(Array.from(values));
  });
});

describe("resample", () => {
  it("the polyphase table gives the direct form's output within 1e-6 (edges included)", () => {
    for (const [from, to] of [[48_000, 16_000], [44_100, 16_000], [22_050, 16_000], [8_000, 16_000], [11_025, 16_000], [44_056, 16_000]] as const) {
      for (const length of [37, 4_801, 44_101]) {
        const input = Float32Array.from({ length }, (_v, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / from) + 0.3 * Math.sin((2 * Math.PI * 3100 * i) / from + 1) + 0.1 * Math.sin(i * 0.37));
        const direct = resampleDirect(input, from, to);
        const fast = resample(input, from, to);
        expect(fast.length, `${from}->${to} length ${length}`).toBe(direct.length);
        let max = 0;
        for (let i = 0; i < direct.length; i++) max = Math.max(max, Math.abs(direct[i]! - fast[i]!));
        expect(max, `${from}->${to} length ${length}`).toBeLessThan(1e-6);
      }
    }
  });

  it("keeps a 440 Hz tone's frequency and length", () => {
    const from = 48_000;
    const input = Float32Array.from({ length: from }, (_v, i) => Math.sin((2 * Math.PI * 440 * i) / from));
    const out = resample(input, from, 16_000);
    expect(out.length).toBe(16_000);
    let crossings = 0;
    for (let i = 1; i < out.length; i++) if (out[i - 1]! < 0 && out[i]! >= 0) crossings++;
    expect(crossings).toBeGreaterThanOrEqual(438);
    expect(crossings).toBeLessThanOrEqual(442);
  });
});

describe("text", () => {
  it("normalises currency, percent, separators, decimals and symbols", () => {
    expect(normaliseText("It costs $42.50 & grew 7% to 1,200,000 users at 3.14")).toBe("It costs 42 dollars 50 and grew 7 percent to 1200000 users at 3 point 1 4");
    expect(normaliseText("£1 now")).toBe("1 pound now");
  });
  it("splits sentences and keeps punctuation runs", () => {
    expect(splitSentences("One. Two!  Three? four")).toEqual(["One.", "Two!", "Three?", "four"]);
    expect(splitPunctuation("Well, yes.")).toEqual([{ text: "Well", punctuation: false }, { text: ", ", punctuation: true }, { text: "yes", punctuation: false }, { text: ".", punctuation: true }]);
  });
});

describe("formats", () => {
  const segs = [{ id: 0, start: 0, end: 1.5, text: " hello" }, { id: 1, start: 61.25, end: 3723.004, text: " world" }];
  it("srt", () => {
    expect(toSrt(segs)).toBe("1\n00:00:00,000 --> 00:00:01,500\nhello\n\n2\n00:01:01,250 --> 01:02:03,004\nworld\n");
  });
  it("vtt", () => {
    expect(toVtt(segs)).toBe("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nhello\n\n00:01:01.250 --> 01:02:03.004\nworld\n");
  });
  it("segments from words split at sentence ends and long gaps", () => {
    const words = [{ word: "Hi.", start: 0, end: 0.3 }, { word: "so", start: 0.4, end: 0.5 }, { word: "then", start: 2, end: 2.3 }];
    expect(segmentsFromWords(words, "Hi. so then", 3).map((s) => s.text)).toEqual([" Hi.", " so", " then"]);
  });
});

describe("vad segmentation", () => {
  it("needs 250 ms of speech, bridges gaps under 100 ms, pads 30 ms", () => {
    const p = new Float32Array(100).fill(0.05);
    p.fill(0.9, 10, 30); // 640 ms speech
    p.fill(0.9, 31, 40); // 1-frame dip is bridged
    p.fill(0.9, 60, 63); // 96 ms blip: dropped
    const regions = regionsFromProbabilities(p, 0.5, 100 * 0.032);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.start).toBeCloseTo(10 * 0.032 - 0.03, 3);
    expect(regions[0]!.end).toBeCloseTo(40 * 0.032 + 0.03, 3);
  });
});
