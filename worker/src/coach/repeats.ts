/**
 * Repeated phrases: the same run of two to four words said again and again ("you know",
 * "and then we"): a pair of words three times or more, a run of three or four words twice
 * (three times if it is all stop words); pairs of stop words alone are ignored, and a shorter
 * run inside a longer repeated one is not reported twice.
 */
import type { Token } from "./tokens.ts";
import type { RepeatedPhrase } from "./types.ts";

const STOP = new Set([
  "a", "an", "the", "and", "or", "but", "so", "of", "to", "in", "on", "at", "for", "with", "it", "is", "was", "were",
  "i", "we", "my", "our", "that", "this", "as", "be", "by", "from", "had", "have", "he", "she", "they", "their",
  "would", "will", "could", "should", "can", "i'd", "we'd", "you", "your", "not", "are", "is",
]);
const MAX_N = 4;

export function repeatedPhrases(text: string, ts: readonly Token[]): RepeatedPhrase[] {
  // A run of words can only repeat where its first pair does: the pairs are counted first, by
  // word number, and runs are built as strings only from pairs said twice or more. Building a
  // string for every run at every position was the largest part of the analysis in a profile
  // of the engine (README, Performance).
  const ids = new Map<string, number>();
  const wordIds = ts.map((t) => {
    let id = ids.get(t.word);
    if (id === undefined) ids.set(t.word, (id = ids.size));
    return id;
  });
  const pairCounts = new Map<number, number>();
  const pairAt = (i: number) => wordIds[i]! * ids.size + wordIds[i + 1]!;
  for (let i = 0; i + 1 < ts.length; i++) pairCounts.set(pairAt(i), (pairCounts.get(pairAt(i)) ?? 0) + 1);
  const candidates: number[] = [];
  for (let i = 0; i + 1 < ts.length; i++) if (pairCounts.get(pairAt(i))! >= 2) candidates.push(i);

  const covered = new Set<number>();
  const out: RepeatedPhrase[] = [];
  for (let n = MAX_N; n >= 2; n--) {
    const at = new Map<string, number[]>();
    for (const i of candidates) {
      if (i + n > ts.length) continue;
      let key = ts[i]!.word;
      for (let k = 1; k < n; k++) key += ` ${ts[i + k]!.word}`;
      const list = at.get(key);
      if (list) list.push(i);
      else at.set(key, [i]);
    }
    for (const [phrase, starts] of at) {
      // Said once (most runs): nothing to report, whatever the rule below needs.
      if (starts.length < 2) continue;
      const words = phrase.split(" ");
      const contentful = words.some((w) => !STOP.has(w));
      // A pair of words said twice is ordinary ("the cache"); three times, or a longer run twice, is a habit.
      const needed = contentful && n > 2 ? 2 : 3;
      // Occurrences must not overlap ("so so so" is one run, not two).
      const separate = starts.filter((s, k) => k === 0 || s - starts[k - 1]! >= n);
      if (separate.length < needed || n === 2 && !contentful) continue;
      if (separate.every((s) => covered.has(s))) continue;
      for (const s of separate) for (let k = s; k < s + n; k++) covered.add(k);
      out.push({ phrase, spans: separate.map((s) => ({ from: ts[s]!.from, to: ts[s + n - 1]!.to })) });
    }
  }
  void text;
  return out.sort((a, b) => a.spans[0]!.from - b.spans[0]!.from);
}
