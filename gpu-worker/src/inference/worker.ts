/**
 * Body of an inference worker thread (piscina). On import it loads its engine's models from
 * workerData (ASR: Silero VAD + Whisper; TTS: Kokoro and/or Piper voices) and warms them; each task then runs
 * without touching the HTTP thread's event loop. A load failure is reported by `info`, not
 * thrown, so the service still starts and answers 503 for that engine.
 */
import { workerData } from "node:worker_threads";
import { move, transferableSymbol, valueSymbol } from "piscina";
import type { EngineInfo, SynthesizeResult, Task, TranscribeResult, TranscribeTask, WorkerOptions } from "./types.ts";
import type { Traced } from "../request-id.ts";
import { resample } from "../pipelines/resample.ts";
import { SileroVad, VAD_SAMPLE_RATE, vadResult } from "../pipelines/vad.ts";
import { segmentsFromWords, Whisper } from "../pipelines/asr.ts";
import { joinedSeconds, joinSpeech, mapSegments, mapWords, planSpeech } from "../pipelines/speech-regions.ts";
import { checkTranscript, trimSegments } from "../pipelines/hallucination.ts";
import { Kokoro, KOKORO_SAMPLE_RATE, textToPhonemes } from "../pipelines/tts.ts";
import { captionSpans, chunkWordTimes, ipaWords, timeSpans, type ChunkTiming, type TimedWord } from "../pipelines/word-timings.ts";
import { normaliseText } from "../pipelines/text.ts";
import { Piper } from "../pipelines/piper.ts";
import { encodeWav, toPcm16, wavSamples } from "../pipelines/wav.ts";
import { join } from "node:path";

const options = workerData as WorkerOptions;
const log = (msg: string) => { if (process.env.SPEECH_WORKER_QUIET !== "1") console.log(JSON.stringify({ level: 30, time: Date.now(), engine: options.engine, msg })); };

/** One second of silence: enough to run every graph once at start. */
const WARMUP_SAMPLES = 16_000;

interface Loaded {
  vad: SileroVad | null;
  whisper: Whisper | null;
  kokoro: Kokoro | null;
  piper: Piper | null;
  info: EngineInfo;
}

async function load(): Promise<Loaded> {
  const started = performance.now();
  const info: EngineInfo = { engine: options.engine, loaded: false, model: options.model, provider: null, error: null, languages: [], multilingual: true, voices: [], vad: false, wordTimestamps: false, sampleRate: null, loadMs: null };
  const loaded: Loaded = { vad: null, whisper: null, kokoro: null, piper: null, info };
  try {
    if (options.engine === "asr") {
      loaded.vad = await SileroVad.load(options.vadModelPath, options.vadThreshold);
      info.vad = true;
      loaded.whisper = await Whisper.load({ ...options, log });
      info.provider = loaded.whisper.provider;
      info.languages = loaded.whisper.languages;
      info.multilingual = loaded.whisper.multilingual;
      info.wordTimestamps = loaded.whisper.wordTimestamps;
      info.sampleRate = VAD_SAMPLE_RATE;
      if (options.warmup) await loaded.whisper.transcribe(new Float32Array(WARMUP_SAMPLES), { language: info.languages[0] ?? "en", temperature: 0, words: false, segments: false });
    } else {
      let kokoroError: unknown = null;
      if (options.model) {
        try {
          loaded.kokoro = await Kokoro.load({ ...options, log });
        } catch (err) {
          kokoroError = err;
          log(`kokoro not loaded: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
        }
      }
      if (options.piperDir) {
        loaded.piper = await Piper.load(join(options.modelsDir, options.piperDir), loaded.kokoro?.provider ?? (options.device === "cpu" ? "cpu" : "cuda"), options.ortThreads, log);
      }
      const piperVoices = loaded.piper?.voices ?? [];
      if (!loaded.kokoro && piperVoices.length === 0) throw kokoroError ?? new Error(`no TTS voices (KOKORO_MODEL empty and no Piper voices in ${options.piperDir})`);
      info.provider = loaded.kokoro?.provider ?? loaded.piper!.provider;
      info.model = loaded.kokoro ? options.model : "piper";
      info.voices = [...(loaded.kokoro?.voices ?? []), ...piperVoices];
      info.sampleRate = loaded.kokoro ? KOKORO_SAMPLE_RATE : loaded.piper!.sampleRate(piperVoices[0]!);
      if (options.warmup) await synthesize(loaded, "Ready.", info.voices[0]!, 1);
    }
    info.loaded = true;
  } catch (err) {
    info.error = err instanceof Error ? err.message.split("\n")[0]! : String(err);
    log(`load failed: ${info.error}`);
  }
  info.loadMs = Math.round(performance.now() - started);
  return loaded;
}

const ready = load();

/**
 * Drops Whisper's known inventions (pipelines/hallucination.ts): a transcript that is only one
 * of them becomes no speech (empty text, words and segments); a loop at the end is cut.
 */
function withoutInventions(result: TranscribeResult): TranscribeResult {
  if (result.skipped || !result.text) return result;
  const verdict = checkTranscript(result.text);
  if (verdict.kind === "speech") return result;
  if (verdict.kind === "no_speech") return { ...result, text: "", words: [], segments: [], discarded: { kind: "no_speech", reason: verdict.reason, text: verdict.text } };
  const keep = verdict.text.split(/\s+/).length;
  return { ...result, text: verdict.text, words: result.words.slice(0, keep), segments: trimSegments(result.segments, keep), discarded: { kind: "trimmed", reason: "repetition", text: verdict.removed } };
}

async function transcribe(loaded: Loaded, task: TranscribeTask): Promise<TranscribeResult> {
  return withoutInventions(await transcribeAll(loaded, task));
}

async function transcribeAll(loaded: Loaded, task: TranscribeTask): Promise<TranscribeResult> {
  const started = performance.now();
  // WAV uploads arrive as their bytes (header checked on the HTTP thread): converted here.
  const input = task.audio.kind === "wav"
    ? { samples: wavSamples(task.audio.bytes, task.audio.format), sampleRate: task.audio.format.sampleRate }
    : task.audio;
  const audio = resample(input.samples, input.sampleRate, VAD_SAMPLE_RATE);
  const vad = task.speech ? vadResult(task.speech, audio.length / VAD_SAMPLE_RATE) : await loaded.vad!.detect(audio);
  const base = { language: task.language, duration: vad.duration, speechSeconds: vad.speechSeconds, pauseRatio: vad.pauseRatio, speech: vad.regions, discarded: null };
  if (vad.regions.length === 0) {
    // No speech anywhere: skip Whisper (it would hallucinate on silence).
    return { ...base, text: "", segments: [], words: [], skipped: true, whisperSeconds: 0, inferenceMs: performance.now() - started };
  }
  if (!options.skipSilence) {
    const out = await loaded.whisper!.transcribe(audio, task);
    return { ...base, ...out, skipped: false, whisperSeconds: audio.length / VAD_SAMPLE_RATE, inferenceMs: performance.now() - started };
  }
  // Whisper hears only the (padded, merged) speech regions joined by short silences; its
  // timestamps are mapped back to the clip's timeline (speech-regions.ts).
  const plan = planSpeech(vad.regions, audio.length, VAD_SAMPLE_RATE);
  const out = await loaded.whisper!.transcribe(joinSpeech(audio, plan), task);
  const words = mapWords(plan, out.words);
  // Word-derived segments are regrouped on the clip's timeline, where the pauses that were cut
  // are back (segmentsFromWords splits at gaps of 1 s or more); Whisper's own segments are mapped.
  const segments = task.words ? (task.segments ? segmentsFromWords(words, out.text, vad.duration) : []) : mapSegments(plan, out.segments);
  return { ...base, text: out.text, words, segments, skipped: false, whisperSeconds: joinedSeconds(plan), inferenceMs: performance.now() - started };
}

/**
 * EnginePool.hold: once the pool's gate is held and its passes are used up, a task blocks here,
 * in this thread, the way a stuck onnxruntime call would, until the pool releases the gate or
 * terminates the thread (inference timeout). Tests use it to hold a thread busy without timing.
 */
function waitAtGate(gate: Int32Array | undefined): void {
  if (!gate || Atomics.load(gate, 0) === 0) return;
  if (Atomics.sub(gate, 1, 1) > 0) return;
  Atomics.wait(gate, 0, 1);
}

async function runOne(task: Task): Promise<EngineInfo | TranscribeResult | SynthesizeResult> {
  const loaded = await ready;
  if (task.kind === "info") return loaded.info;
  waitAtGate(options.gate);
  if (!loaded.info.loaded) throw new Error(`${options.engine} model not loaded: ${loaded.info.error}`);
  if (task.kind === "transcribe") return transcribe(loaded, task);
  const started = performance.now();
  const timings: ChunkTiming[] | undefined = task.words ? [] : undefined;
  const { audio, sampleRate } = await synthesize(loaded, task.text, task.voice, task.speed, timings);
  const words = timings ? await wordTimes(loaded, task.text, task.voice, timings, sampleRate) : undefined;
  const inferenceMs = performance.now() - started;
  // Encoded here, not on the HTTP thread, and the bytes' ArrayBuffer is moved back (no copy).
  const bytes = task.encoding === "wav" ? encodeWav(audio, sampleRate) : toPcm16(audio);
  const result: SynthesizeResult = { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), samples: audio.length, sampleRate, inferenceMs, ...words };
  return moving(result, [bytes.buffer as ArrayBuffer]);
}

/**
 * Every task but `info` logs one line with the id of the HTTP request it serves (the
 * Worker's x-request-id, request-id.ts), so a reader can follow a request into this thread:
 * `{"engine","requestId","msg":"task done"|"task failed","kind","ms"}`.
 */
export default async function runTask(task: Task & Traced): Promise<EngineInfo | TranscribeResult | SynthesizeResult> {
  if (task.kind === "info") return runOne(task);
  const started = performance.now();
  const line = (msg: string, extra: Record<string, unknown>) => {
    if (process.env.SPEECH_WORKER_QUIET === "1") return;
    const fields = { level: msg === "task done" ? 30 : 50, time: Date.now(), engine: options.engine, requestId: task.requestId ?? null, msg, kind: task.kind, ...extra };
    console.log(JSON.stringify(fields));
  };
  try {
    const result = await runOne(task);
    line("task done", { ms: Math.round(performance.now() - started) });
    return result;
  } catch (err) {
    line("task failed", { ms: Math.round(performance.now() - started), error: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    throw err;
  }
}

/**
 * Returns `value` to the HTTP thread with `buffers` transferred rather than cloned: piscina's
 * movable protocol (what `Piscina.move` builds for a bare buffer) for a result that carries one.
 */
function moving<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  const movable = {
    get [transferableSymbol]() { return buffers; },
    get [valueSymbol]() { return value; },
  };
  return move(movable) as unknown as T; // piscina unwraps it to `value` on the other side
}

/** The voice picks the engine: a Piper voice name, else Kokoro. */
async function synthesize(loaded: Loaded, text: string, voice: string, speed: number, timings?: ChunkTiming[]): Promise<{ audio: Float32Array; sampleRate: number }> {
  if (loaded.piper?.voices.includes(voice)) return { audio: await loaded.piper.synthesize(text, voice, speed, timings), sampleRate: loaded.piper.sampleRate(voice) };
  return { audio: await loaded.kokoro!.synthesize(text, voice, speed, timings), sampleRate: KOKORO_SAMPLE_RATE };
}

/**
 * When each written word is spoken (pipelines/word-timings.ts): every caption span is
 * phonemised alone to learn how many spoken words it is ("$100" is three), then the spans take
 * the timed spoken words of the audio in order.
 */
async function wordTimes(loaded: Loaded, text: string, voice: string, timings: ChunkTiming[], sampleRate: number): Promise<{ words: TimedWord[]; timing: "model" | "estimated" }> {
  const piper = loaded.piper?.voices.includes(voice) ? loaded.piper : null;
  const language = piper ? piper.language(voice) : voice.startsWith("b") ? "en" : "en-us";
  const spans = captionSpans(text);
  const counts: number[] = [];
  for (const span of spans) {
    const spoken = normaliseText(span.word);
    counts.push(spoken ? ipaWords(await textToPhonemes(spoken, language, !piper)) : 0);
  }
  const spokenWords = timings.flatMap((chunk) => chunkWordTimes(chunk, sampleRate));
  const timing = timings.length > 0 && timings.every((t) => t.durations && t.durations.length === t.tokens) ? "model" : "estimated";
  return { words: timeSpans(spans, counts, spokenWords), timing };
}
