/**
 * Delivery metrics of a spoken answer, computed by the server from the transcription
 * (decisions.md, Add: "Audio answers"), so the pace rules in coaching work on measured values
 * instead of whatever a client reports. Pure: no I/O, no env.
 *
 * - `speakingRate`: words per minute over the spoken span, from the first word's start to the
 *   last word's end (word timestamps). Null with fewer than two words or a span of zero: one
 *   word has no pace. Pauses inside the span count (a slow speaker is slow); silence before the
 *   first and after the last word does not (recording start and stop are not the speaker's).
 * - `pauseRatio`: the share of the clip that is not speech, from the speech worker's voice
 *   activity detection (its `pause_ratio` = 1 − speech_seconds / duration, the seed's
 *   definition). Null when the server did not report it (e.g. OpenAI's own API).
 * - `fillers`: filler words and phrases in the transcript, as tokens (`countFillers`, the same
 *   count typed answers get).
 * - `speechSeconds`: seconds of detected speech (extension; not stored with the answer).
 */
import { countFillers } from "../engine/text.ts";

export interface TimedWord {
  word: string;
  start: number;
  end: number;
}

export interface DeliveryInput {
  text: string;
  words: readonly TimedWord[];
  pause_ratio: number | null;
  speech_seconds: number | null;
}

export interface DeliveryMetrics {
  speakingRate: number | null;
  pauseRatio: number | null;
  fillers: number;
  speechSeconds: number | null;
}

/** Words per minute over the spoken span, to 0.1; null below two words or a zero span. */
export function wordsPerMinute(words: readonly TimedWord[]): number | null {
  const spoken = words.filter((w) => /[\p{L}\p{N}]/u.test(w.word) && Number.isFinite(w.start) && Number.isFinite(w.end));
  if (spoken.length < 2) return null;
  const first = Math.min(...spoken.map((w) => w.start));
  const last = Math.max(...spoken.map((w) => w.end));
  const minutes = (last - first) / 60;
  if (!(minutes > 0)) return null;
  return Math.round((spoken.length / minutes) * 10) / 10;
}

export function deliveryMetrics(input: DeliveryInput): DeliveryMetrics {
  return {
    speakingRate: wordsPerMinute(input.words),
    pauseRatio: ratio(input.pause_ratio),
    fillers: countFillers(input.text),
    speechSeconds: input.speech_seconds !== null && Number.isFinite(input.speech_seconds) && input.speech_seconds >= 0 ? input.speech_seconds : null,
  };
}

/** A ratio clamped to 0..1, rounded to 4 decimals; null when missing or not a number. */
function ratio(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}
