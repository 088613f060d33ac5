/**
 * Feeding Whisper only the speech: the VAD regions are padded, merged, cut out of the clip and
 * joined with a short silence between them; Whisper's timestamps on that shorter audio are
 * mapped back to the original clip's timeline with a piecewise offset map. Pure arithmetic on
 * sample indices and seconds (no models, no I/O), so every rule is unit-tested on its own.
 *
 * Timelines: "source" is the uploaded clip (16 kHz after resampling), "joined" is the audio
 * Whisper receives. Piece k is source samples [srcStart, srcEnd) copied to joined samples
 * [dstStart, dstEnd); pieces are separated in the joined audio by `joinSilence` of zeros.
 */
import type { Segment, SpeechRegion, Word } from "../inference/types.ts";

/**
 * Added on both sides of every VAD region before cutting. Silero's regions already carry 30 ms
 * (vad.ts), which is tuned for counting speech, not for recognising it: unvoiced onsets and
 * tails (/h/, /s/, /f/, plosive releases, a trailing breathy vowel) sit below the frame
 * threshold, and the 32 ms frames plus hysteresis make the edges coarse. 200 ms (about one
 * syllable) keeps those sounds and gives Whisper a little acoustic context at each edge, while
 * removing almost nothing that a long pause would save.
 */
export const REGION_PAD_S = 0.2;
/**
 * Padded regions closer than this are merged into one piece. Such gaps (raw VAD gaps under
 * 2 × 200 + 300 = 700 ms) are pauses inside a sentence: cutting them saves little Whisper time
 * and would break the prosody Whisper uses to place words and punctuation.
 */
export const MERGE_GAP_S = 0.3;
/**
 * Silence put between two pieces in the joined audio, so that the last word of one region and
 * the first of the next do not run together (Whisper would otherwise merge or drop them). A
 * tenth of a second is a clear word boundary and too short for Whisper to hallucinate in.
 */
export const JOIN_SILENCE_S = 0.1;
/**
 * Linear fade at each cut that is not the clip's own start or end: a hard cut through a
 * non-zero sample is a step, i.e. a broadband click the log-mel would show as an onset.
 */
export const CUT_FADE_S = 0.01;

export interface SpeechPlanOptions {
  padS: number;
  mergeGapS: number;
  joinSilenceS: number;
  fadeS: number;
}

export const DEFAULT_PLAN_OPTIONS: SpeechPlanOptions = { padS: REGION_PAD_S, mergeGapS: MERGE_GAP_S, joinSilenceS: JOIN_SILENCE_S, fadeS: CUT_FADE_S };

export interface Piece {
  srcStart: number;
  srcEnd: number;
  dstStart: number;
  dstEnd: number;
}

export interface SpeechPlan {
  sampleRate: number;
  /** Samples in the source clip. */
  sourceSamples: number;
  /** Samples in the joined audio (pieces + silences between them). */
  joinedSamples: number;
  pieces: Piece[];
  fadeSamples: number;
}

/**
 * Pads each region by `padS` (clamped to the clip), merges regions that overlap or whose gap is
 * under `mergeGapS`, and lays the resulting pieces out one after the other with `joinSilenceS`
 * between them. Regions may come unsorted; empty ones are ignored.
 */
export function planSpeech(regions: readonly SpeechRegion[], sourceSamples: number, sampleRate: number, options: Partial<SpeechPlanOptions> = {}): SpeechPlan {
  const o = { ...DEFAULT_PLAN_OPTIONS, ...options };
  const pad = Math.round(o.padS * sampleRate);
  const mergeGap = Math.round(o.mergeGapS * sampleRate);
  const join = Math.round(o.joinSilenceS * sampleRate);
  const padded = regions
    .map((r) => ({ start: Math.max(0, Math.floor(r.start * sampleRate) - pad), end: Math.min(sourceSamples, Math.ceil(r.end * sampleRate) + pad) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: Array<{ start: number; end: number }> = [];
  for (const r of padded) {
    const last = merged.at(-1);
    if (last && r.start - last.end < mergeGap) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  const pieces: Piece[] = [];
  let dst = 0;
  for (const r of merged) {
    if (pieces.length > 0) dst += join;
    pieces.push({ srcStart: r.start, srcEnd: r.end, dstStart: dst, dstEnd: dst + (r.end - r.start) });
    dst += r.end - r.start;
  }
  return { sampleRate, sourceSamples, joinedSamples: dst, pieces, fadeSamples: Math.round(o.fadeS * sampleRate) };
}

/** The audio Whisper receives: every piece, zeros between them, faded at interior cuts. */
export function joinSpeech(audio: Float32Array, plan: SpeechPlan): Float32Array {
  const out = new Float32Array(plan.joinedSamples);
  for (const p of plan.pieces) {
    out.set(audio.subarray(p.srcStart, p.srcEnd), p.dstStart);
    const len = p.dstEnd - p.dstStart;
    const fade = Math.min(plan.fadeSamples, Math.floor(len / 2));
    if (fade <= 0) continue;
    for (let i = 0; i < fade; i++) {
      const g = i / fade;
      if (p.srcStart > 0) out[p.dstStart + i] = out[p.dstStart + i]! * g;
      if (p.srcEnd < plan.sourceSamples) out[p.dstEnd - 1 - i] = out[p.dstEnd - 1 - i]! * g;
    }
  }
  return out;
}

/** Seconds of joined audio (what Whisper runs on). */
export function joinedSeconds(plan: SpeechPlan): number {
  return plan.joinedSamples / plan.sampleRate;
}

/**
 * Maps a time on the joined audio back to the source clip: a time inside piece k gets piece k's
 * offset (srcStart − dstStart). A time in the silence inserted between pieces k−1 and k belongs
 * to neither: as a `start` it snaps forward to piece k's start (what begins there begins with
 * the next region); as an `end` it snaps back to piece k−1's end, so a word that ends a little
 * into the silence does not stretch over the whole pause that was cut. Past the last piece
 * (e.g. Whisper's end-of-audio timestamp after rounding) clamps to the last piece's end; before
 * the first (cannot happen, it starts at 0) to its start.
 */
export function mapTime(plan: SpeechPlan, t: number, side: "start" | "end" = "start"): number {
  const sr = plan.sampleRate;
  const { pieces } = plan;
  if (pieces.length === 0) return t;
  const x = t * sr;
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    if (x < p.dstStart) return (side === "end" && k > 0 ? pieces[k - 1]!.srcEnd : p.srcStart) / sr;
    // A start exactly at a piece's end begins nothing in it (with no join silence it is the
    // next piece's start); an end exactly there is that piece's end.
    if (side === "start" ? x < p.dstEnd : x <= p.dstEnd) return (x - p.dstStart + p.srcStart) / sr;
  }
  return pieces.at(-1)!.srcEnd / sr;
}

/** A [start, end] span mapped back, rounded to 10 ms as Whisper's are; end never before start. */
export function mapSpan<T extends { start: number; end: number }>(plan: SpeechPlan, span: T): T {
  const start = round2(mapTime(plan, span.start, "start"));
  const end = round2(mapTime(plan, span.end, "end"));
  return { ...span, start, end: Math.max(start, end) };
}

export function mapWords(plan: SpeechPlan, words: readonly Word[]): Word[] {
  return words.map((w) => mapSpan(plan, w));
}

export function mapSegments(plan: SpeechPlan, segments: readonly Segment[]): Segment[] {
  return segments.map((s) => mapSpan(plan, s));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
