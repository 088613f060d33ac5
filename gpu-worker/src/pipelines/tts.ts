/**
 * Kokoro-82M ONNX text-to-speech, run with onnxruntime-node inside a TTS worker thread:
 * text -> normalised text -> IPA with `phonemizer` (espeak-ng in WASM) -> Kokoro's vocabulary
 * (read from the model folder's tokenizer.json or config.json) -> `input_ids` int64 [1, n]
 * with 0 at both ends, `style` = voice row min(n, 509) of a raw float32 [510, 1, 256] voice
 * file, `speed` float32 [1] -> `waveform` float32 at 24 kHz. Long text is split by sentence
 * to stay within the 510-token context. English voices (a* = en-us, b* = en-gb).
 */
import { assertModelFolder, missingModelMessage } from "../models/missing.ts";
import * as ort from "onnxruntime-node";
import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DevicePreference, Provider } from "../inference/types.ts";
import { normaliseText, splitPunctuation, splitSentences } from "./text.ts";
import { DURATION_OUTPUTS, type ChunkTiming } from "./word-timings.ts";

export const KOKORO_SAMPLE_RATE = 24_000;
const STYLE_DIM = 256;
const VOICE_ROWS = 510;
/** Context of the model minus the two boundary pads. */
const MAX_PHONEME_TOKENS = 510;

type Phonemize = (text: string, language?: string) => Promise<string[]>;

let phonemizeFn: Phonemize | null = null;

/**
 * Imports `phonemizer` and removes the process-wide uncaughtException / unhandledRejection
 * handlers its Emscripten runtime installs on import (they would swallow our crashes).
 */
export async function loadPhonemizer(): Promise<Phonemize> {
  if (phonemizeFn) return phonemizeFn;
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ["uncaughtException", "unhandledRejection"];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const mod = (await import("phonemizer")) as { phonemize: Phonemize };
  for (const e of events) {
    for (const listener of emitter.listeners(e)) {
      if (!before.get(e)!.has(listener)) emitter.removeListener(e, listener as (...args: unknown[]) => void);
    }
  }
  phonemizeFn = mod.phonemize;
  return phonemizeFn;
}

/** Kokoro's post-processing of espeak's IPA (as in kokoro.js). */
function tidyIpa(ipa: string, american: boolean): string {
  let t = ipa
    .replace(/kəkˈoːɹoʊ/g, "kˈoʊkəɹoʊ")
    .replace(/kəkˈɔːɹəʊ/g, "kˈəʊkəɹəʊ")
    .replace(/ʲ/g, "j")
    .replace(/r/g, "ɹ")
    .replace(/x/g, "k")
    .replace(/ɬ/g, "l")
    .replace(/(?<=[a-zɹː])(?=hˈʌndɹɪd)/g, " ")
    .replace(/ z(?=[;:,.!?¡¿—…"«»“” ]|$)/g, "z");
  if (american) t = t.replace(/(?<=nˈaɪn)ti(?!ː)/g, "di");
  return t.trim();
}

/** Text -> IPA with punctuation kept; `kokoro` applies Kokoro's IPA post-processing. */
export async function textToPhonemes(text: string, espeakLanguage: string, kokoro = true): Promise<string> {
  const phonemize = await loadPhonemizer();
  const out: string[] = [];
  for (const run of splitPunctuation(text)) {
    if (run.punctuation) out.push(run.text);
    else out.push((await phonemize(run.text, espeakLanguage)).join(" "));
  }
  const ipa = out.join("");
  return kokoro ? tidyIpa(ipa, espeakLanguage === "en-us") : ipa.trim();
}

export interface KokoroLoadOptions {
  modelsDir: string;
  model: string;
  device: DevicePreference;
  ortThreads: number;
  log: (msg: string) => void;
}

export class Kokoro {
  readonly provider: Provider;
  readonly voices: string[];
  readonly #session: ort.InferenceSession;
  readonly #vocab: Map<string, number>;
  readonly #voiceDir: string;
  readonly #voiceCache = new Map<string, Float32Array>();

  private constructor(session: ort.InferenceSession, provider: Provider, vocab: Map<string, number>, voiceDir: string, voices: string[]) {
    this.#session = session;
    this.provider = provider;
    this.#vocab = vocab;
    this.#voiceDir = voiceDir;
    this.voices = voices;
  }

  static async load(options: KokoroLoadOptions): Promise<Kokoro> {
    const folder = join(options.modelsDir, options.model);
    assertModelFolder("kokoro", "KOKORO_MODEL", folder);
    const vocab = await readVocab(folder);
    const voiceDir = join(folder, "voices");
    const voices = (existsSync(voiceDir) ? await readdir(voiceDir) : []).filter((f) => f.endsWith(".bin")).map((f) => f.slice(0, -4)).sort();
    if (voices.length === 0) throw new Error(missingModelMessage("kokoro", "KOKORO_MODEL", folder, "no voices/*.bin"));
    const modelPath = join(folder, "onnx", "model.onnx");
    const threads = options.ortThreads > 0 ? { intraOpNumThreads: options.ortThreads, interOpNumThreads: 1 } : {};
    const attempts: Provider[] = options.device === "cpu" ? ["cpu"] : ["cuda", "cpu"];
    let lastError: unknown = null;
    for (const provider of attempts) {
      try {
        const session = await ort.InferenceSession.create(modelPath, { ...threads, executionProviders: [provider] });
        options.log(`kokoro '${options.model}' loaded on ${provider}`);
        await loadPhonemizer();
        return new Kokoro(session, provider, vocab, voiceDir, voices);
      } catch (err) {
        lastError = err;
        options.log(`kokoro '${options.model}' could not load on ${provider}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  tokenize(phonemes: string): number[] {
    const ids: number[] = [];
    for (const ch of phonemes) {
      const id = this.#vocab.get(ch);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  async #voice(name: string): Promise<Float32Array> {
    const cached = this.#voiceCache.get(name);
    if (cached) return cached;
    if (!this.voices.includes(name)) throw new Error(`unknown voice ${name}`);
    const bytes = await readFile(join(this.#voiceDir, `${name}.bin`));
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (data.length !== VOICE_ROWS * STYLE_DIM) throw new Error(`voice ${name} has ${data.length} floats, expected ${VOICE_ROWS * STYLE_DIM}`);
    this.#voiceCache.set(name, data);
    return data;
  }

  /**
   * Synthesises text (any length); sentences are generated one by one and concatenated. With
   * `timings`, each chunk's phonemes, tokens and (when the export outputs them) token durations
   * are appended to it, for word timings (word-timings.ts).
   */
  async synthesize(text: string, voice: string, speed: number, timings?: ChunkTiming[]): Promise<Float32Array> {
    const language = voice.startsWith("b") ? "en" : "en-us";
    const style = await this.#voice(voice);
    const pieces: Float32Array[] = [];
    let offset = 0;
    for (const chunk of await this.#chunks(normaliseText(text), language)) {
      const { audio, durations } = await this.#run(chunk.ids, style, speed);
      pieces.push(audio);
      // Token 0 and the last are the boundary pads; phoneme character j is token j + 1.
      timings?.push({ phonemes: chunk.chars, tokenOfChar: Array.from(chunk.chars, (_c, j) => j + 1), tokensPerChar: 1, tokens: chunk.ids.length + 2, durations, offset, samples: audio.length });
      offset += audio.length;
    }
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const out = new Float32Array(total);
    let at = 0;
    for (const p of pieces) { out.set(p, at); at += p.length; }
    return out;
  }

  /**
   * Token chunks of at most MAX_PHONEME_TOKENS, cut at sentence ends (and hard-cut if one
   * sentence is longer), each with the phoneme characters its ids stand for (one id each).
   */
  async #chunks(text: string, language: string): Promise<Array<{ ids: number[]; chars: string }>> {
    const chunks: Array<{ ids: number[]; chars: string }> = [];
    let current: number[] = [];
    let chars = "";
    for (const sentence of splitSentences(text)) {
      const phonemes = [...await textToPhonemes(sentence, language)].filter((ch) => this.#vocab.has(ch));
      const ids = phonemes.map((ch) => this.#vocab.get(ch)!);
      if (current.length && current.length + 1 + ids.length > MAX_PHONEME_TOKENS) { chunks.push({ ids: current, chars }); current = []; chars = ""; }
      const space = this.#vocab.get(" ");
      if (current.length && space !== undefined) { current.push(space); chars += " "; }
      current.push(...ids);
      chars += phonemes.join("");
      while (current.length > MAX_PHONEME_TOKENS) {
        const head = [...chars];
        chunks.push({ ids: current.splice(0, MAX_PHONEME_TOKENS), chars: head.slice(0, MAX_PHONEME_TOKENS).join("") });
        chars = head.slice(MAX_PHONEME_TOKENS).join("");
      }
    }
    if (current.length) chunks.push({ ids: current, chars });
    return chunks;
  }

  async #run(ids: number[], voice: Float32Array, speed: number): Promise<{ audio: Float32Array; durations: ArrayLike<number> | null }> {
    const row = Math.min(ids.length, VOICE_ROWS - 1);
    const style = voice.slice(row * STYLE_DIM, (row + 1) * STYLE_DIM);
    const inputIds = BigInt64Array.from([0, ...ids, 0].map((n) => BigInt(n)));
    const out = await this.#session.run({
      input_ids: new ort.Tensor("int64", inputIds, [1, inputIds.length]),
      style: new ort.Tensor("float32", style, [1, STYLE_DIM]),
      speed: new ort.Tensor("float32", Float32Array.from([speed]), [1]),
    });
    const durationName = DURATION_OUTPUTS.find((n) => this.#session.outputNames.includes(n));
    const durations = durationName ? Array.from((out[durationName] as ort.Tensor).data as ArrayLike<number | bigint>, Number) : null;
    return { audio: (out.waveform as ort.Tensor).data as Float32Array, durations };
  }

  async release(): Promise<void> {
    await this.#session.release();
  }
}

async function readVocab(folder: string): Promise<Map<string, number>> {
  const tokenizerPath = join(folder, "tokenizer.json");
  const configPath = join(folder, "config.json");
  let vocab: Record<string, number> | undefined;
  if (existsSync(tokenizerPath)) {
    vocab = (JSON.parse(await readFile(tokenizerPath, "utf8")) as { model?: { vocab?: Record<string, number> } }).model?.vocab;
  }
  if (!vocab && existsSync(configPath)) vocab = (JSON.parse(await readFile(configPath, "utf8")) as { vocab?: Record<string, number> }).vocab;
  if (!vocab) throw new Error(missingModelMessage("kokoro", "KOKORO_MODEL", folder, "no vocabulary (tokenizer.json model.vocab or config.json vocab)"));
  return new Map(Object.entries(vocab));
}
