/**
 * Accuracy of the estimated TTS word timings (src/pipelines/word-timings.ts): on a voice whose
 * export outputs its token durations, the word times from those durations (what `timing:
 * "model"` gives) against the estimate from the same synthesis with the durations left out
 * (every token equally long: what a voice without them gets). Reported: mean, p90 and largest
 * difference of word starts and ends, in ms and as a share of the mean word length.
 *
 * Runs on the tiny Piper voice with durations (test/fixtures/tiny-models.ts), whose tokens last
 * 1–3 frames by id: a stand-in for real phoneme durations, which vary more (a stressed vowel
 * can last 5–10× a stop), so the real error is larger; with Kokoro/Piper exports that output
 * durations there is no estimate to make. Output: JSON on stdout and bench/results/word-timings.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Piper } from "../src/pipelines/piper.ts";
import { chunkWordTimes, type ChunkTiming } from "../src/pipelines/word-timings.ts";
import { TINY_PIPER_DURATIONS_DIR, TINY_PIPER_DURATIONS_VOICE, writeTinyPiperWithDurations } from "../test/fixtures/tiny-models.ts";

const TEXT = "Tell me about a project you are proud of. What was your role, and what would you do differently? " +
  "It cost about $100, and the team shipped it in 3.5 weeks; the customers noticed at once.";

const dir = mkdtempSync(join(tmpdir(), "speech-bench-words-"));
writeTinyPiperWithDurations(dir);
const piper = await Piper.load(join(dir, TINY_PIPER_DURATIONS_DIR), "cpu", 1, () => undefined);
const timings: ChunkTiming[] = [];
await piper.synthesize(TEXT, TINY_PIPER_DURATIONS_VOICE, 1, timings);
const rate = piper.sampleRate(TINY_PIPER_DURATIONS_VOICE);
const model = timings.flatMap((c) => chunkWordTimes(c, rate));
const estimated = timings.flatMap((c) => chunkWordTimes({ ...c, durations: null }, rate));
const diffs = model.flatMap((m, i) => [Math.abs(m.start - estimated[i]!.start), Math.abs(m.end - estimated[i]!.end)].map((d) => d * 1000)).sort((a, b) => a - b);
const meanWordMs = (model.reduce((a, w) => a + (w.end - w.start), 0) / model.length) * 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;
const results = {
  voice: TINY_PIPER_DURATIONS_VOICE,
  spoken_words: model.length,
  mean_word_ms: r1(meanWordMs),
  boundary_error_ms: { mean: r1(diffs.reduce((a, b) => a + b, 0) / diffs.length), p90: r1(diffs[Math.floor(0.9 * diffs.length)]!), max: r1(diffs.at(-1)!) },
  mean_error_share_of_word: r1((diffs.reduce((a, b) => a + b, 0) / diffs.length) / meanWordMs * 100) + " %",
};
await piper.release();
rmSync(dir, { recursive: true, force: true });
const out = new URL("./results/", import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL("word-timings.json", out), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
