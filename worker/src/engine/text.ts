/**
 * Small text primitives shared by the heuristic coach: whitespace normalisation, word
 * tokens, filler counting and phrase lookup.
 *
 * The seed matched fillers and keywords as raw substrings, so " um" hit "umbrella" and "ms"
 * hit "problems" (docs/seed-behaviour.md §4.2, §4.3). docs/decisions.md asks for token matching
 * instead, and every heuristic goes through `tokenize` so they all agree on what a word is.
 */

/** Collapses every whitespace run to one space and trims, like Python's `" ".join(s.split())`. */
export function normalizeWhitespace(s: string): string {
  return s.split(/\s+/u).filter((part) => part.length > 0).join(" ");
}

/**
 * Length in Unicode code points. The seed's limits are Python `len()` values, which count
 * code points; JavaScript's `.length` would count an emoji as two.
 */
export function codePointLength(s: string): number {
  // As Array.from(s).length, without the array: a surrogate pair is one code point, a lone
  // surrogate one too.
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// Speech-to-text and phones write the typographic apostrophe; fold it so "don’t" == "don't".
const CURLY_APOSTROPHES = /[\u2018\u2019\u02bc]/gu;

/** Typographic apostrophes (‘ ’ ʼ) as the ASCII `'`, so "don’t" matches "don't". */
export function foldApostrophes(text: string): string {
  return text.replace(CURLY_APOSTROPHES, "'");
}
// A word is letters/digits, optionally joined by inner apostrophes ("don't", "o'brien").
const WORD = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/** Lower-cased word tokens; apostrophes inside a word are kept, all other punctuation splits. */
export function tokenize(text: string): string[] {
  return foldApostrophes(text.toLowerCase()).match(WORD) ?? [];
}

/**
 * Spoken fillers, single words and multi-word phrases. "like" is included even though it is
 * also a real verb ("I like Go"): it is the most frequent filler in spoken English and the
 * only one, with "um" and "uh", that the seed counted, so dropping it would hide the habit
 * the tip exists to catch. "actually", "basically" and "literally" are in for the same reason;
 * the tip only fires above one filler per answer, so a stray legitimate use costs little.
 */
export const FILLER_PHRASES: readonly string[] = [
  "um",
  "umm",
  "uh",
  "uhh",
  "uhm",
  "er",
  "erm",
  "ah",
  "hmm",
  "like",
  "you know",
  "i mean",
  "sort of",
  "kind of",
  "basically",
  "actually",
  "literally",
  "so yeah",
];

/** Phrases as token sequences, longest first so "you know" wins over any one-word prefix. */
function phraseTokens(phrases: readonly string[]): string[][] {
  return phrases
    .map((p) => tokenize(p))
    .filter((t) => t.length > 0)
    .sort((a, b) => b.length - a.length);
}

function matchesAt(tokens: readonly string[], at: number, phrase: readonly string[]): boolean {
  if (at + phrase.length > tokens.length) return false;
  return phrase.every((word, k) => tokens[at + k] === word);
}

const FILLER_TOKENS = phraseTokens(FILLER_PHRASES);

/**
 * Counts fillers left to right without overlap: a matched phrase consumes its tokens, so
 * "you know" counts once and "umbrella" never counts as "um".
 */
export function countFillers(text: string): number {
  const tokens = tokenize(text);
  let count = 0;
  let i = 0;
  while (i < tokens.length) {
    const hit = FILLER_TOKENS.find((phrase) => matchesAt(tokens, i, phrase));
    if (hit) {
      count += 1;
      i += hit.length;
    } else {
      i += 1;
    }
  }
  return count;
}

/** True when any decimal digit occurs (Python's `str.isdigit` per character). */
export function hasDigits(s: string): boolean {
  return /\p{Nd}/u.test(s);
}

/**
 * True when any of `words` occurs as a whole token or token sequence. A hyphenated entry
 * such as "trade-offs" is itself tokenised, so it also matches "trade offs".
 */
export function containsToken(text: string, words: readonly string[]): boolean {
  return tokensContain(tokenize(text), words);
}

/** `containsToken` on text already tokenised, for callers that test several word lists. */
export function tokensContain(tokens: readonly string[], words: readonly string[]): boolean {
  const phrases = phrasesOf(words);
  for (let i = 0; i < tokens.length; i += 1) {
    if (phrases.some((phrase) => matchesAt(tokens, i, phrase))) return true;
  }
  return false;
}

// Word lists are module constants: tokenising them once, not on every answer, was a tenth of a turn's engine time.
const PHRASES = new WeakMap<readonly string[], string[][]>();

function phrasesOf(words: readonly string[]): string[][] {
  let phrases = PHRASES.get(words);
  if (!phrases) {
    phrases = phraseTokens(words);
    PHRASES.set(words, phrases);
  }
  return phrases;
}

/**
 * An index into a list of `length` items from a `random()` in [0, 1), clamped to the list so
 * an injected RNG that returns exactly 1 (or something out of range) still picks an item.
 */
export function pickIndex(random: () => number, length: number): number {
  return Math.min(length - 1, Math.max(0, Math.floor(random() * length)));
}
