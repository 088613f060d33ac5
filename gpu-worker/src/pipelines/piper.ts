/**
 * Piper (VITS) voices, a second TTS engine: `<voice>.onnx` + `<voice>.onnx.json` in
 * MODELS_DIR/PIPER_DIR. Text -> IPA with phonemizer (the voice's espeak voice, punctuation kept)
 * -> ids by the voice's `phoneme_id_map` (BOS ^, each phoneme followed by the pad _, EOS $) ->
 * `input` int64 [1, n], `input_lengths` int64 [1], `scales` float32 [noise, length / speed,
 * noise_w] (+ `sid` for multi-speaker voices) -> `output` float32 at the voice's sample rate.
 * Runs inside a TTS worker thread.
 */
import * as ort from "onnxruntime-node";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Provider } from "../inference/types.ts";
import { normaliseText, splitSentences } from "./text.ts";
import { textToPhonemes } from "./tts.ts";
import { DURATION_OUTPUTS, type ChunkTiming } from "./word-timings.ts";

interface PiperConfig {
  audio: { sample_rate: number };
  espeak?: { voice?: string };
  inference?: { noise_scale?: number; length_scale?: number; noise_w?: number };
  phoneme_id_map: Record<string, number[]>;
  num_speakers?: number;
}

interface PiperVoice {
  session: ort.InferenceSession;
  config: PiperConfig;
}

/** Piper's context is much longer than a sentence; sentences are synthesised one by one anyway. */
const SENTENCE_SILENCE_S = 0.2;

export class Piper {
  readonly provider: Provider;
  readonly #voices: Map<string, PiperVoice>;

  private constructor(voices: Map<string, PiperVoice>, provider: Provider) {
    this.#voices = voices;
    this.provider = provider;
  }

  get voices(): string[] {
    return [...this.#voices.keys()].sort();
  }

  /** The espeak voice the voice's phonemes come from. */
  language(voice: string): string {
    return this.#voices.get(voice)?.config.espeak?.voice ?? "en-us";
  }

  sampleRate(voice: string): number {
    return this.#voices.get(voice)?.config.audio.sample_rate ?? 22_050;
  }

  /**
   * Loads every voice in `dir` (none is fine: an engine with no voices). With `cuda` the first
   * voice is tried on CUDA alone; if that fails every voice loads on CPU, and `provider` says so.
   */
  static async load(dir: string, wanted: Provider, threads: number, log: (m: string) => void): Promise<Piper> {
    const voices = new Map<string, PiperVoice>();
    let provider = wanted;
    if (existsSync(dir)) {
      for (const file of (await readdir(dir)).filter((f) => f.endsWith(".onnx")).sort()) {
        const name = file.slice(0, -5);
        const configPath = join(dir, `${file}.json`);
        if (!existsSync(configPath)) { log(`piper voice ${name}: no ${file}.json, skipped`); continue; }
        const config = JSON.parse(await readFile(configPath, "utf8")) as PiperConfig;
        const create = (ep: Provider) => ort.InferenceSession.create(join(dir, file), {
          executionProviders: [ep],
          ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
        });
        let session: ort.InferenceSession;
        try {
          session = await create(provider);
        } catch (err) {
          if (provider !== "cuda") throw err;
          log(`piper could not load on cuda: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
          provider = "cpu";
          session = await create(provider);
        }
        voices.set(name, { session, config });
      }
    }
    if (voices.size) log(`piper voices loaded on ${provider}: ${[...voices.keys()].join(", ")}`);
    return new Piper(voices, provider);
  }

  ids(phonemes: string, map: Record<string, number[]>): number[] {
    const pad = map._ ?? [0];
    const out = [...(map["^"] ?? [1]), ...pad];
    for (const ch of phonemes) {
      const id = map[ch];
      if (id) out.push(...id, ...pad);
    }
    out.push(...(map.$ ?? [2]));
    return out;
  }

  /** With `timings`, each sentence's phonemes, tokens and (when the export outputs them, e.g. `w_ceil`) token durations are appended. */
  async synthesize(text: string, voiceName: string, speed: number, timings?: ChunkTiming[]): Promise<Float32Array> {
    const voice = this.#voices.get(voiceName);
    if (!voice) throw new Error(`unknown piper voice ${voiceName}`);
    const { config, session } = voice;
    const language = config.espeak?.voice ?? "en-us";
    const rate = config.audio.sample_rate;
    const pieces: Float32Array[] = [];
    let offset = 0;
    for (const sentence of splitSentences(normaliseText(text))) {
      const phonemes = [...await textToPhonemes(sentence, language, false)].filter((ch) => config.phoneme_id_map[ch]?.length);
      const ids = this.ids(phonemes.join(""), config.phoneme_id_map);
      const inf = config.inference ?? {};
      const feeds: Record<string, ort.Tensor> = {
        input: new ort.Tensor("int64", BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        input_lengths: new ort.Tensor("int64", BigInt64Array.from([BigInt(ids.length)]), [1]),
        scales: new ort.Tensor("float32", Float32Array.from([inf.noise_scale ?? 0.667, (inf.length_scale ?? 1) / speed, inf.noise_w ?? 0.8]), [3]),
      };
      if ((config.num_speakers ?? 1) > 1 && session.inputNames.includes("sid")) feeds.sid = new ort.Tensor("int64", BigInt64Array.from([0n]), [1]);
      const out = await session.run(feeds);
      const audio = (out[session.outputNames[0]!] as ort.Tensor).data as Float32Array;
      if (timings) {
        const durationName = DURATION_OUTPUTS.find((n) => session.outputNames.includes(n));
        const durations = durationName ? Array.from((out[durationName] as ort.Tensor).data as ArrayLike<number | bigint>, Number) : null;
        // ids: BOS, pad, then each phoneme's id(s) and a pad, then EOS.
        const tokenOfChar: number[] = [];
        let token = 2;
        for (const ch of phonemes) { tokenOfChar.push(token); token += config.phoneme_id_map[ch]!.length + 1; }
        timings.push({ phonemes: phonemes.join(""), tokenOfChar, tokensPerChar: 2, tokens: ids.length, durations, offset, samples: audio.length });
      }
      const silence = Math.round(SENTENCE_SILENCE_S * rate);
      offset += audio.length + silence;
      pieces.push(audio);
      pieces.push(new Float32Array(silence));
    }
    pieces.pop();
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const audio = new Float32Array(total);
    let at = 0;
    for (const p of pieces) { audio.set(p, at); at += p.length; }
    return audio;
  }

  async release(): Promise<void> {
    for (const v of this.#voices.values()) await v.session.release();
  }
}
