/**
 * When each written word of a TTS input is spoken, for captions: `{word, start, end, from, to}`
 * with `from`/`to` character offsets into the input as written, so "$100" is one caption span
 * even though it is spoken as "one hundred dollars". Pure arithmetic (the engines supply the
 * phonemes, token durations and sample counts; see tts.ts and piper.ts).
 *
 * The chain: the input is cut into caption spans (whitespace-separated, edge punctuation off);
 * each span is phonemised on its own to know how many spoken (IPA) words it becomes; the
 * engine reports, for each synthesised chunk, its phoneme string, the model token each phoneme
 * character became, each token's duration and the chunk's place in the audio. The chunk's IPA
 * words get times from their tokens; spans take their IPA words in order (exactly when the
 * counts agree, else proportionally along the word sequence).
 *
 * Token durations come from the model when its export outputs them (`durations`, `w_ceil`,
 * `pred_dur`: frames per token, scaled so they fill the chunk's samples). Otherwise every token
 * of a chunk lasts the same (`estimated`): a word's time is then proportional to its phoneme
 * count. README "TTS word timings" gives the accuracy of that estimate.
 */

export interface CaptionSpan {
  word: string;
  /** Offsets into the input text: `input.slice(from, to) === word`. */
  from: number;
  to: number;
}

export interface TimedWord extends CaptionSpan {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
}

/** One synthesised piece of audio, as an engine reports it. */
export interface ChunkTiming {
  /** The phoneme characters the model received, in order (characters it dropped left out). */
  phonemes: string;
  /** For each phoneme character, the index of the model token it became. */
  tokenOfChar: number[];
  /** Tokens each phoneme character becomes (Kokoro 1; Piper 2: the phoneme and a pad). */
  tokensPerChar: number;
  /** Model tokens in the chunk (including boundary and pad tokens). */
  tokens: number;
  /** Frames per token from the model, or null: every token then lasts the same. */
  durations: ArrayLike<number> | null;
  /** Where the chunk's audio starts and how long it is, in samples. */
  offset: number;
  samples: number;
}

const LEADING = /^[\s"'“‘«([{¿¡—–-]+/u;
const TRAILING = /[\s"'”’»)\]}.,;:!?…—–-]+$/u;

/** Whitespace-separated words of `input` without their edge punctuation ("$100" and "3.5%" kept whole). */
export function captionSpans(input: string): CaptionSpan[] {
  const spans: CaptionSpan[] = [];
  for (const m of input.matchAll(/\S+/g)) {
    const raw = m[0];
    const lead = LEADING.exec(raw)?.[0].length ?? 0;
    const rest = raw.slice(lead);
    const trail = TRAILING.exec(rest)?.[0].length ?? 0;
    const word = rest.slice(0, rest.length - trail);
    if (!word) continue;
    const from = m.index + lead;
    spans.push({ word, from, to: from + word.length });
  }
  return spans;
}

/** Spoken words in a phoneme string: runs of non-space, non-punctuation characters. */
export function ipaWords(phonemes: string): number {
  return (phonemes.match(/[^\s;:,.!?¡¿—…"«»“”()[\]{}]+/gu) ?? []).length;
}

/** Times (seconds) of each IPA word of a chunk, from its tokens' durations. */
export function chunkWordTimes(chunk: ChunkTiming, sampleRate: number): Array<{ start: number; end: number }> {
  const weights = chunk.durations && chunk.durations.length === chunk.tokens ? Array.from(chunk.durations, (d) => Math.max(0, d)) : new Array<number>(chunk.tokens).fill(1);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const cumulative = [0];
  for (const w of weights) cumulative.push(cumulative.at(-1)! + w);
  const at = (token: number) => (chunk.offset + (cumulative[token]! / total) * chunk.samples) / sampleRate;
  const times: Array<{ start: number; end: number }> = [];
  for (const m of chunk.phonemes.matchAll(/[^\s;:,.!?¡¿—…"«»“”()[\]{}]+/gu)) {
    const first = chunk.tokenOfChar[m.index]!;
    const last = chunk.tokenOfChar[m.index + m[0].length - 1]!;
    // A word ends with its last phoneme's token(s): Piper follows every phoneme with a pad.
    times.push({ start: at(first), end: at(Math.min(last + chunk.tokensPerChar, chunk.tokens)) });
  }
  return times;
}

/**
 * Gives each caption span its time: span i owns `counts[i]` consecutive IPA words of the whole
 * audio. When the counts add up to the words the engine spoke, the match is exact; when they do
 * not (espeak phonemised a word differently in its sentence), span i gets the words between
 * its cumulative share of the total, so errors stay local. A span of no spoken word (a lone
 * symbol) is a zero-length point where it stands.
 */
export function timeSpans(spans: readonly CaptionSpan[], counts: readonly number[], words: ReadonlyArray<{ start: number; end: number }>): TimedWord[] {
  const expected = counts.reduce((a, b) => a + b, 0);
  const scale = expected > 0 ? words.length / expected : 0;
  const out: TimedWord[] = [];
  let before = 0;
  let lastEnd = 0;
  spans.forEach((span, i) => {
    const a = Math.round(before * scale);
    before += counts[i]!;
    const b = Math.round(before * scale);
    const round3 = (x: number) => Math.round(x * 1000) / 1000;
    if (b <= a || words.length === 0) {
      out.push({ ...span, start: round3(lastEnd), end: round3(lastEnd) });
      return;
    }
    const start = words[Math.min(a, words.length - 1)]!.start;
    const end = words[Math.min(b, words.length) - 1]!.end;
    lastEnd = end;
    out.push({ ...span, start: round3(start), end: round3(Math.max(start, end)) });
  });
  return out;
}

/** Names under which exports put per-token durations (frames per input token). */
export const DURATION_OUTPUTS = ["durations", "duration", "w_ceil", "pred_dur"];
