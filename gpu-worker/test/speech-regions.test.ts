/**
 * The region arithmetic behind VAD_SKIP_SILENCE (src/pipelines/speech-regions.ts): padding,
 * merging, clip edges, the joined audio, and the piecewise offset map back to the clip's
 * timeline (inside pieces, in the inserted silences, past the last piece).
 */
import { describe, expect, it } from "vitest";
import { CUT_FADE_S, JOIN_SILENCE_S, joinedSeconds, joinSpeech, mapSegments, mapSpan, mapTime, mapWords, MERGE_GAP_S, planSpeech, REGION_PAD_S } from "../src/pipelines/speech-regions.ts";

const SR = 16_000;
/** Integer sample rate 100 Hz makes every boundary exact in these hand-worked cases. */
const R = 100;
const noFade = { fadeS: 0 };

describe("planSpeech: padding, merging, clip edges", () => {
  it("uses the documented defaults", () => {
    expect([REGION_PAD_S, MERGE_GAP_S, JOIN_SILENCE_S, CUT_FADE_S]).toEqual([0.2, 0.3, 0.1, 0.01]);
  });

  it("pads each region by 200 ms on both sides and joins pieces with 100 ms of silence", () => {
    // 60 s clip, speech 10-12 s and 30-31 s: far apart, so two pieces.
    const plan = planSpeech([{ start: 10, end: 12 }, { start: 30, end: 31 }], 60 * R, R);
    expect(plan.pieces).toEqual([
      { srcStart: 980, srcEnd: 1220, dstStart: 0, dstEnd: 240 },
      { srcStart: 2980, srcEnd: 3120, dstStart: 250, dstEnd: 390 },
    ]);
    expect(plan.joinedSamples).toBe(390);
    expect(joinedSeconds(plan)).toBeCloseTo(3.9, 9);
  });

  it("merges regions whose padding overlaps", () => {
    // Raw gap 0.3 s: padded regions overlap by 0.1 s.
    const plan = planSpeech([{ start: 1, end: 2 }, { start: 2.3, end: 3 }], 10 * R, R);
    expect(plan.pieces).toEqual([{ srcStart: 80, srcEnd: 320, dstStart: 0, dstEnd: 240 }]);
  });

  it("merges padded gaps under 300 ms and keeps gaps of 300 ms or more apart", () => {
    // Raw gap 0.69 s → padded gap 0.29 s: merged.
    expect(planSpeech([{ start: 1, end: 2 }, { start: 2.69, end: 3 }], 10 * R, R).pieces).toHaveLength(1);
    // Raw gap 0.7 s → padded gap exactly 0.3 s: two pieces.
    const apart = planSpeech([{ start: 1, end: 2 }, { start: 2.7, end: 3 }], 10 * R, R);
    expect(apart.pieces.map((p) => [p.srcStart, p.srcEnd])).toEqual([[80, 220], [250, 320]]);
  });

  it("merges chains transitively and a region contained in another", () => {
    const plan = planSpeech([{ start: 1, end: 1.5 }, { start: 1.8, end: 2 }, { start: 2.3, end: 4 }, { start: 2.5, end: 2.6 }], 10 * R, R);
    expect(plan.pieces).toEqual([{ srcStart: 80, srcEnd: 420, dstStart: 0, dstEnd: 340 }]);
  });

  it("clamps padding at the clip's start and end", () => {
    const plan = planSpeech([{ start: 0.05, end: 1 }, { start: 8, end: 9.95 }], 10 * R, R);
    expect(plan.pieces.map((p) => [p.srcStart, p.srcEnd])).toEqual([[0, 120], [780, 1000]]);
    // Speech over the whole clip: one piece, the clip itself.
    const all = planSpeech([{ start: 0, end: 10 }], 10 * R, R);
    expect(all.pieces).toEqual([{ srcStart: 0, srcEnd: 1000, dstStart: 0, dstEnd: 1000 }]);
    expect(all.joinedSamples).toBe(1000);
  });

  it("sorts unsorted regions, ignores empty ones and gives an empty plan for none", () => {
    const plan = planSpeech([{ start: 30, end: 31 }, { start: 5, end: 5 }, { start: 10, end: 12 }], 60 * R, R, { padS: 0 });
    expect(plan.pieces.map((p) => [p.srcStart, p.srcEnd])).toEqual([[1000, 1200], [3000, 3100]]);
    const none = planSpeech([], 60 * R, R);
    expect(none.pieces).toEqual([]);
    expect(none.joinedSamples).toBe(0);
    expect(joinSpeech(new Float32Array(60 * R), none).length).toBe(0);
  });

  it("takes other constants", () => {
    const plan = planSpeech([{ start: 1, end: 2 }, { start: 3, end: 4 }], 10 * R, R, { padS: 0, mergeGapS: 1.5, joinSilenceS: 0 });
    expect(plan.pieces).toEqual([{ srcStart: 100, srcEnd: 400, dstStart: 0, dstEnd: 300 }]);
    const split = planSpeech([{ start: 1, end: 2 }, { start: 3, end: 4 }], 10 * R, R, { padS: 0, mergeGapS: 0, joinSilenceS: 0.5 });
    expect(split.pieces.map((p) => [p.dstStart, p.dstEnd])).toEqual([[0, 100], [150, 250]]);
  });
});

describe("joinSpeech", () => {
  it("copies each piece, puts zeros between them, fades only interior cuts", () => {
    const audio = Float32Array.from({ length: 10 * SR }, () => 1);
    const plan = planSpeech([{ start: 0, end: 1 }, { start: 5, end: 6 }, { start: 9.5, end: 10 }], audio.length, SR);
    const joined = joinSpeech(audio, plan);
    expect(joined.length).toBe(plan.joinedSamples);
    const [a, b, c] = plan.pieces;
    const fade = CUT_FADE_S * SR;
    // The clip's own start and end are not faded.
    expect(joined[0]).toBe(1);
    expect(joined[c!.dstEnd - 1]).toBe(1);
    // Interior cuts ramp from 0.
    expect(joined[a!.dstEnd - 1]).toBe(0);
    expect(joined[b!.dstStart]).toBe(0);
    expect(joined[b!.dstStart + fade / 2]).toBeCloseTo(0.5, 6);
    expect(joined[b!.dstStart + fade]).toBe(1);
    // The inserted silence is digital zero.
    for (let i = a!.dstEnd; i < b!.dstStart; i++) expect(joined[i]).toBe(0);
    expect(b!.dstStart - a!.dstEnd).toBe(JOIN_SILENCE_S * SR);
  });

  it("copies the samples themselves (no fade)", () => {
    const audio = Float32Array.from({ length: 4 * R }, (_, i) => i);
    const plan = planSpeech([{ start: 0.5, end: 1 }, { start: 3, end: 3.5 }], audio.length, R, { padS: 0, ...noFade });
    expect([...joinSpeech(audio, plan)]).toEqual([...audio.subarray(50, 100), ...new Array(10).fill(0), ...audio.subarray(300, 350)]);
  });
});

describe("mapTime: the piecewise offset map", () => {
  // Pieces: source 9.8-12.2 s → joined 0-2.4 s; gap 2.4-2.5 s; source 29.8-31.2 s → joined 2.5-3.9 s.
  const plan = planSpeech([{ start: 10, end: 12 }, { start: 30, end: 31 }], 60 * R, R);

  it("a time inside piece k gets piece k's offset", () => {
    expect(mapTime(plan, 0)).toBeCloseTo(9.8, 9);
    expect(mapTime(plan, 1.2)).toBeCloseTo(11, 9);
    expect(mapTime(plan, 2.5)).toBeCloseTo(29.8, 9);
    expect(mapTime(plan, 3)).toBeCloseTo(30.3, 9);
    expect(mapTime(plan, 3, "end")).toBeCloseTo(30.3, 9);
  });

  it("a start in the inserted silence snaps to the next region's start, an end back to the previous region's end", () => {
    for (const t of [2.4, 2.41, 2.45, 2.49]) {
      expect(mapTime(plan, t, "start")).toBeCloseTo(29.8, 9);
    }
    for (const t of [2.41, 2.45, 2.49]) expect(mapTime(plan, t, "end")).toBeCloseTo(12.2, 9);
    // Exactly a piece's end: the end of that piece.
    expect(mapTime(plan, 2.4, "end")).toBeCloseTo(12.2, 9);
  });

  it("the last region: its end maps to its end, beyond it clamps there", () => {
    expect(mapTime(plan, 3.9, "end")).toBeCloseTo(31.2, 9);
    expect(mapTime(plan, 3.9, "start")).toBeCloseTo(31.2, 9);
    expect(mapTime(plan, 4.5, "end")).toBeCloseTo(31.2, 9);
    expect(mapTime(plan, 30, "start")).toBeCloseTo(31.2, 9);
  });

  it("with no join silence a boundary time is the next piece's start (as a start) or the previous end (as an end)", () => {
    const tight = planSpeech([{ start: 1, end: 2 }, { start: 5, end: 6 }], 10 * R, R, { padS: 0, joinSilenceS: 0 });
    expect(mapTime(tight, 1, "start")).toBeCloseTo(5, 9);
    expect(mapTime(tight, 1, "end")).toBeCloseTo(2, 9);
  });

  it("is monotonic on both sides", () => {
    const three = planSpeech([{ start: 1, end: 2 }, { start: 5, end: 6 }, { start: 20, end: 22 }], 30 * R, R);
    for (const side of ["start", "end"] as const) {
      let prev = -Infinity;
      for (let t = 0; t <= joinedSeconds(three) + 0.5; t += 0.01) {
        const m = mapTime(three, t, side);
        expect(m).toBeGreaterThanOrEqual(prev - 1e-9);
        prev = m;
      }
    }
  });

  it("is the identity with one piece covering the whole clip", () => {
    const whole = planSpeech([{ start: 0, end: 10 }], 10 * SR, SR);
    for (const t of [0, 0.37, 5, 9.99, 10]) expect(mapTime(whole, t)).toBeCloseTo(t, 9);
  });
});

describe("mapSpan, mapWords, mapSegments", () => {
  const plan = planSpeech([{ start: 10, end: 12 }, { start: 30, end: 31 }], 60 * R, R);

  it("maps words of each region by that region's offset, rounded to 10 ms", () => {
    const words = mapWords(plan, [
      { word: "hello", start: 0.2, end: 0.7 },
      { word: "world", start: 0.8, end: 2.33 },
      { word: "again", start: 2.6, end: 3.1 },
    ]);
    expect(words).toEqual([
      { word: "hello", start: 10, end: 10.5 },
      { word: "world", start: 10.6, end: 12.13 },
      { word: "again", start: 29.9, end: 30.4 },
    ]);
  });

  it("a word ending in the inserted silence ends at its region's end; one starting there starts at the next region", () => {
    expect(mapSpan(plan, { word: "end", start: 2.0, end: 2.47 })).toEqual({ word: "end", start: 11.8, end: 12.2 });
    expect(mapSpan(plan, { word: "next", start: 2.42, end: 2.9 })).toEqual({ word: "next", start: 29.8, end: 30.2 });
  });

  it("a span wholly inside the inserted silence collapses to the next region's start, never end < start", () => {
    expect(mapSpan(plan, { word: "uh", start: 2.41, end: 2.48 })).toEqual({ word: "uh", start: 29.8, end: 29.8 });
  });

  it("a segment spanning both pieces keeps its first start and last end", () => {
    expect(mapSegments(plan, [{ id: 0, start: 0, end: 3.9, text: " hi there" }])).toEqual([{ id: 0, start: 9.8, end: 31.2, text: " hi there" }]);
  });
});
