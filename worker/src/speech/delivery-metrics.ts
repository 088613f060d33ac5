/**
 * Delivery metrics of a spoken answer, computed by the server from the transcription
 * (docs/decisions.md, Add: "Audio answers"), so the pace rules in coaching work on measured values
 * instead of whatever a client reports. Pure: no I/O, no env.
 *
 * - `speakingRate`: words per minute over the spoken span, from the first word's start to the
 *   last word's end (word timestamps). Null below 5 words or a span under 2 s: a word or two,
 *   or a fraction of a second, has no meaningful pace (two words 0.1 s apart would be
 *   1200 wpm). Pauses inside the span count (a slow speaker is slow); silence before the
 *   first and after the last word does not (recording start and stop are not the speaker's).
 * - `pauseRatio`: the share of the spoken span that is not speech: 1 − speech_seconds /
 *   (last word's end − first word's start), with `speech_seconds` from the speech worker's
 *   voice activity detection; clamped to 0..1. Silence before the first and after the last
 *   word is not counted, as for the rate (the seed's 1 − speech_seconds / duration counted
 *   the recording's start and stop as pauses). Null when the server did not report speech
 *   seconds (e.g. OpenAI's own API) or the span is unknown (no timed words, or a zero span).
 *   The speech worker's own `pause_ratio` (over the whole clip) is not used.
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

/** Words with a letter or digit and finite times: punctuation tokens and broken times do not count. */
function spokenWords(words: readonly TimedWord[]): TimedWord[] {
  return words.filter((w) => /[\p{L}\p{N}]/u.test(w.word) && Number.isFinite(w.start) && Number.isFinite(w.end));
}

/** Seconds from the first spoken word's start to the last one's end; null without a positive span. */
export function spokenSpan(words: readonly TimedWord[]): number | null {
  const spoken = spokenWords(words);
  if (spoken.length === 0) return null;
  const span = Math.max(...spoken.map((w) => w.end)) - Math.min(...spoken.map((w) => w.start));
  return span > 0 ? span : null;
}

/** Fewer words, or a shorter span, give no speaking rate. */
export const MIN_RATE_WORDS = 5;
export const MIN_RATE_SPAN_SECONDS = 2;

/** Words per minute over the spoken span, to 0.1; null below 5 words or a span under 2 s. */
export function wordsPerMinute(words: readonly TimedWord[]): number | null {
  const spoken = spokenWords(words);
  if (spoken.length < MIN_RATE_WORDS) return null;
  const span = spokenSpan(spoken);
  if (span === null || span < MIN_RATE_SPAN_SECONDS) return null;
  return Math.round((spoken.length / (span / 60)) * 10) / 10;
}

/** 1 − speech seconds / spoken span, clamped to 0..1; null when either is unknown. */
export function pauseRatio(words: readonly TimedWord[], speechSeconds: number | null): number | null {
  const span = spokenSpan(words);
  if (span === null || speechSeconds === null || !Number.isFinite(speechSeconds) || speechSeconds < 0) return null;
  return ratio(1 - speechSeconds / span);
}

export function deliveryMetrics(input: DeliveryInput): DeliveryMetrics {
  return {
    speakingRate: wordsPerMinute(input.words),
    pauseRatio: pauseRatio(input.words, input.speech_seconds),
    fillers: countFillers(input.text),
    speechSeconds: input.speech_seconds !== null && Number.isFinite(input.speech_seconds) && input.speech_seconds >= 0 ? input.speech_seconds : null,
  };
}

/** A ratio clamped to 0..1, rounded to 4 decimals. */
function ratio(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;
}
