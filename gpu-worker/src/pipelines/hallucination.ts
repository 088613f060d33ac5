/**
 * Whisper's known inventions: text it writes on near-silence, noise and music that nobody said.
 * It was trained on subtitled video, so the end credits of that material ("Thank you.",
 * "Thanks for watching!", "Subtitles by the Amara.org community") are what it "hears" when
 * there is nothing to hear; and its decoder can loop, repeating one word or phrase until the
 * window ends. Pure text rules, no model: the whole transcript matching a known phrase (or only
 * such phrases, or only a sound tag like "[Music]") is no speech; a transcript that is one word
 * or phrase repeated is no speech; a loop at the end of real text is cut back to one occurrence.
 *
 * The cost: a candidate who really says only "Thank you." is told nothing was heard and asked
 * again. In an interview answer that is rare and harmless; an invented answer is not.
 */

export type HallucinationVerdict =
  | { kind: "speech"; text: string }
  /** Nothing real: `reason` says which rule, `text` is what Whisper wrote. */
  | { kind: "no_speech"; reason: "known_phrase" | "sound_tag" | "repetition"; text: string }
  /** Real text followed by a loop: `text` is the transcript with the loop cut to one occurrence. */
  | { kind: "trimmed"; text: string; removed: string };

/**
 * Whole-transcript phrases Whisper writes on silence or noise (normalised: lower case, no
 * punctuation). Collected from the Whisper issue tracker and published hallucination studies
 * (e.g. Koenecke et al. 2024, "Careless Whisper"); English only, as the interview is.
 */
const KNOWN_PHRASES = new Set([
  "thank you", "thank you very much", "thank you so much", "thanks", "thank you for watching",
  "thanks for watching", "thank you so much for watching", "thank you for watching and see you next time",
  "thanks for watching and see you next time", "thank you for listening", "thanks for listening",
  "please subscribe", "please subscribe to my channel", "subscribe to my channel", "like and subscribe",
  "dont forget to like and subscribe", "please like and subscribe", "see you next time", "see you in the next video",
  "bye", "bye bye", "goodbye", "you", "so", "oh", "hmm", "um", "uh",
  "subtitles by the amaraorg community", "subtitles by the amara org community", "transcription by castingwords",
  "transcribed by otterai", "the end", "silence", "blank audio",
]);

/** Prefixes of credit lines ("Subtitles by ...", "Captions by ...", "Translated by ..."). */
const CREDIT_PREFIX = /^(subtitles?|captions?|captioning|transcript(ion)?|translated|translation|subtitled|transcribed) (by|provided by|made by)\b/;

/** A transcript that is only bracketed or starred sound descriptions, music notes or dots. */
const SOUND_TAG = /^(?:\s*(?:\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|♪+|♫+|[.…-]+))+\s*$/;

/** A loop must repeat at least this often to count (a real "no, no, no" is three). */
const MIN_REPEATS = 4;
/** Longest repeated unit checked, in words. */
const MAX_UNIT_WORDS = 6;

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']/g, "")
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function sentences(text: string): string[] {
  // Split only where a sentence mark is followed by a space, so "Amara.org" stays whole.
  return text.split(/(?<=[.!?])\s+/).map(normalise).filter(Boolean);
}

/**
 * The smallest unit (1..MAX_UNIT_WORDS words) that repeats at least MIN_REPEATS times at the
 * end of `words`, and where the loop starts (word index); null when there is none.
 */
export function trailingLoop(words: readonly string[]): { unit: number; start: number; repeats: number } | null {
  for (let unit = 1; unit <= MAX_UNIT_WORDS; unit++) {
    if (words.length < unit * MIN_REPEATS) break;
    let start = words.length - unit;
    let repeats = 1;
    while (start - unit >= 0 && words.slice(start - unit, start).every((w, i) => w === words[start + i])) {
      start -= unit;
      repeats += 1;
    }
    if (repeats >= MIN_REPEATS) return { unit, start, repeats };
  }
  return null;
}

/** Classifies one Whisper transcript (see the module note). Empty text is simply no speech. */
export function checkTranscript(text: string): HallucinationVerdict {
  const trimmed = text.trim();
  if (!trimmed) return { kind: "no_speech", reason: "known_phrase", text: trimmed };
  if (SOUND_TAG.test(trimmed)) return { kind: "no_speech", reason: "sound_tag", text: trimmed };
  const parts = sentences(trimmed);
  if (parts.length > 0 && parts.every((p) => KNOWN_PHRASES.has(p) || CREDIT_PREFIX.test(p))) {
    return { kind: "no_speech", reason: "known_phrase", text: trimmed };
  }
  const raw = trimmed.split(/\s+/);
  const words = raw.map(normalise);
  const loop = trailingLoop(words);
  if (!loop) return { kind: "speech", text: trimmed };
  if (loop.start === 0) return { kind: "no_speech", reason: "repetition", text: trimmed };
  const keep = raw.slice(0, loop.start + loop.unit).join(" ");
  return { kind: "trimmed", text: keep, removed: raw.slice(loop.start + loop.unit).join(" ") };
}

/** Segments cut to the first `keepWords` words (after a loop was trimmed from the transcript). */
export function trimSegments<T extends { text: string }>(segments: readonly T[], keepWords: number): T[] {
  const out: T[] = [];
  let left = keepWords;
  for (const s of segments) {
    if (left <= 0) break;
    const words = s.text.trim().split(/\s+/).filter(Boolean);
    if (words.length <= left) out.push(s);
    else out.push({ ...s, text: ` ${words.slice(0, left).join(" ")}` });
    left -= words.length;
  }
  return out;
}
