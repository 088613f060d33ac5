/**
 * Caption spans for the interviewer's audio when the speech worker gives no word timings:
 * each whitespace-separated token of the message (punctuation stripped from its ends, so
 * "$100," is the span "$100") gets a share of the audio's duration in proportion to how long
 * it takes to say: its letters, three per digit ("100" is said "one hundred"), and a pause
 * after a comma or a sentence end. `from`/`to` index the message text, so a caption can
 * highlight the words as written.
 *
 * Accuracy: an estimate. Kokoro's pace is close to even per phoneme, so spans drift most on
 * numbers, abbreviations and long pauses; good enough to highlight a caption, not to align
 * audio. The speech worker's own timings replace it when it sends them.
 */
import type { SpokenWord } from "@interview/shared";

/** Silence Kokoro leaves before the first and after the last word, as a share of the audio. */
const EDGE_SILENCE_SHARE = 0.04;
const CLAUSE_PAUSE = 2;
const SENTENCE_PAUSE = 4;

interface Span {
  word: string;
  from: number;
  to: number;
  weight: number;
  pause: number;
}

export function estimateWordTimings(text: string, durationMs: number): SpokenWord[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const token = match[0];
    const lead = token.length - token.replace(/^[^\p{L}\p{N}$€£%#@&]+/u, "").length;
    const core = token.slice(lead).replace(/[^\p{L}\p{N}%]+$/u, "");
    if (core === "") continue;
    const from = match.index + lead;
    const after = token.slice(lead + core.length);
    const letters = (core.match(/\p{L}/gu) ?? []).length;
    const digits = (core.match(/\p{N}/gu) ?? []).length;
    const symbols = (core.match(/[$€£%#@&]/gu) ?? []).length;
    spans.push({
      word: core,
      from,
      to: from + core.length,
      weight: Math.max(1, letters + 3 * digits + 4 * symbols),
      pause: /[.!?]/.test(after) ? SENTENCE_PAUSE : /[,;:—–-]/.test(after) ? CLAUSE_PAUSE : 0,
    });
  }
  if (spans.length === 0 || !(durationMs > 0)) return [];
  const seconds = durationMs / 1000;
  const edge = seconds * EDGE_SILENCE_SHARE;
  const units = spans.reduce((sum, s, i) => sum + s.weight + (i < spans.length - 1 ? s.pause : 0), 0);
  const perUnit = (seconds - 2 * edge) / units;
  let at = edge;
  return spans.map((s) => {
    const start = at;
    const end = start + s.weight * perUnit;
    at = end + s.pause * perUnit;
    return { word: s.word, start: round(start), end: round(end), from: s.from, to: s.to };
  });
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** The part of `text` heard in the first `playedMs`: up to the end of the last word that finished playing. */
export function heardText(text: string, words: SpokenWord[], playedMs: number): string {
  const played = playedMs / 1000;
  let to = 0;
  for (const w of words) if (w.end <= played) to = w.to;
  return text.slice(0, to);
}
