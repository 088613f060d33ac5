/**
 * Delivery of a spoken answer, from the speech worker's word timings: pace (overall and with
 * long pauses taken out, and its band), fillers with their times, the longest pause, and the
 * pace in a few windows across the answer. Pure; null without at least two timed words.
 *
 * Bands (on the pace without long pauses, the speaker's own tempo): slow below 110 words a
 * minute, fast above 170, conversational between. They bracket the 120-160 wpm the seed's
 * pace tip recommends, with room either side, so an answer is only called slow or fast when
 * a listener would notice.
 */
import { FILLER_PHRASES } from "../engine/text.ts";
import type { DeliveryAnalysis, PaceWindow, TimedWord } from "./types.ts";

export const PACE_BANDS = { slowBelow: 110, fastAbove: 170 } as const;
/** Silences longer than this are pauses, not the gaps between words. */
export const LONG_PAUSE_SECONDS = 1;
/** Windows of the pace profile: at most this many, none shorter than `MIN_WINDOW_SECONDS`. */
const MAX_WINDOWS = 4;
const MIN_WINDOW_SECONDS = 5;

const FILLERS = FILLER_PHRASES.map((p) => p.split(" ")).sort((a, b) => b.length - a.length);

function clean(word: string): string {
  return word.toLowerCase().replace(/[\u2018\u2019\u02bc]/gu, "'").replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, "");
}

export function analyzeDelivery(timed: readonly TimedWord[]): DeliveryAnalysis | null {
  const words = timed
    .filter((w) => Number.isFinite(w.start) && Number.isFinite(w.end) && w.end >= w.start && /[\p{L}\p{N}]/u.test(w.word))
    .map((w) => ({ ...w, token: clean(w.word) }))
    .sort((a, b) => a.start - b.start);
  if (words.length < 2) return null;
  const first = words[0]!.start;
  const last = Math.max(...words.map((w) => w.end));
  const spoken = last - first;
  if (spoken <= 0) return null;

  let longestPause: { at: number; seconds: number } | null = null;
  let paused = 0;
  for (let i = 1; i < words.length; i++) {
    const gap = words[i]!.start - words[i - 1]!.end;
    if (gap > LONG_PAUSE_SECONDS) paused += gap;
    if (gap > 0 && (longestPause === null || gap > longestPause.seconds)) longestPause = { at: round(words[i - 1]!.end, 2), seconds: round(gap, 2) };
  }
  const wpm = (words.length / spoken) * 60;
  const talking = Math.max(spoken - paused, 1e-9);
  const wpmExcludingPauses = (words.length / talking) * 60;

  const fillers: { text: string; at: number }[] = [];
  for (let i = 0; i < words.length; ) {
    const hit = FILLERS.find((phrase) => phrase.every((p, k) => words[i + k]?.token === p));
    if (hit) {
      fillers.push({ text: words.slice(i, i + hit.length).map((w) => w.word.trim()).join(" "), at: round(words[i]!.start, 2) });
      i += hit.length;
    } else i += 1;
  }

  return {
    words: words.length,
    spokenSeconds: round(spoken, 2),
    wpm: round(wpm, 1),
    wpmExcludingPauses: round(wpmExcludingPauses, 1),
    band: wpmExcludingPauses < PACE_BANDS.slowBelow ? "slow" : wpmExcludingPauses > PACE_BANDS.fastAbove ? "fast" : "conversational",
    bands: { ...PACE_BANDS },
    longPauseSeconds: LONG_PAUSE_SECONDS,
    fillersPer100Words: round((fillers.length / words.length) * 100, 1),
    fillers,
    longestPause,
    pace: paceWindows(words, first, spoken),
  };
}

function paceWindows(words: readonly TimedWord[], first: number, spoken: number): PaceWindow[] {
  const count = Math.max(1, Math.min(MAX_WINDOWS, Math.floor(spoken / MIN_WINDOW_SECONDS)));
  const size = spoken / count;
  const out: PaceWindow[] = [];
  for (let k = 0; k < count; k++) {
    const start = first + k * size;
    const end = k === count - 1 ? first + spoken : start + size;
    // A word belongs to the window its start falls in (the last window takes the end too).
    const n = words.filter((w) => w.start >= start && (w.start < end || (k === count - 1 && w.start <= end))).length;
    out.push({ start: round(start, 2), end: round(end, 2), words: n, wpm: round((n / size) * 60, 1) });
  }
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
