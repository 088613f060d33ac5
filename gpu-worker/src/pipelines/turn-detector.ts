/**
 * Server-side turn detection for a live audio stream: Silero VAD's per-frame speech
 * probabilities in, "speech started" / "speech stopped" out, decided frame by frame as the audio
 * arrives. Pure state machine (no model, no clock): the caller feeds probabilities of
 * consecutive 32 ms frames and gets events carrying sample positions on the stream's timeline.
 *
 * Rules (those of Silero's own streaming VADIterator, with OpenAI's server_vad settings):
 * - a frame is voiced when its probability is ≥ `threshold`; speech *starts* once voiced frames
 *   have lasted `minSpeechMs` without a silence in between (a click or a breath is shorter), and
 *   the event is dated at the first voiced frame;
 * - inside speech, a frame below `threshold − 0.15` (hysteresis, as Silero) counts as silence;
 *   speech *stops* after `silenceDurationMs` of consecutive silence, dated at the first silent
 *   frame. A frame between the two thresholds resets the silence count: it is still
 *   speech-like (a soft consonant, a trailing vowel), as in Silero's iterator.
 */
export const FRAME_SAMPLES = 512;
export const SAMPLE_RATE = 16_000;

export interface TurnDetectorOptions {
  /** Speech probability at or above which a frame is voiced (0..1). */
  threshold: number;
  /** Silence that ends a turn (OpenAI server_vad's silence_duration_ms). */
  silenceDurationMs: number;
  /** Voiced time needed before a start is announced. */
  minSpeechMs: number;
}

/** 96 ms: three frames, longer than a click, much shorter than any word. */
export const DEFAULT_MIN_SPEECH_MS = 96;
/** Silero's hysteresis: below threshold − 0.15 is silence once speech has started. */
const HYSTERESIS = 0.15;

export type TurnEvent =
  | { type: "speech_started"; sample: number }
  /** `sample`: the first silent frame (the end of speech). */
  | { type: "speech_stopped"; sample: number };

export class TurnDetector {
  #threshold = 0.5;
  #negThreshold = 0.35;
  #silenceFrames = 1;
  #minSpeechFrames = 1;
  #speaking = false;
  /** First sample of the first voiced frame of the current candidate or current speech; -1 none. */
  #voicedStart = -1;
  #silenceStart = -1;

  constructor(options: TurnDetectorOptions) {
    this.configure(options);
  }

  /** New settings; a turn in progress keeps its state and goes on under them. */
  configure(options: TurnDetectorOptions): void {
    this.#threshold = options.threshold;
    this.#negThreshold = Math.max(options.threshold - HYSTERESIS, 0.01);
    this.#silenceFrames = Math.max(1, Math.ceil((options.silenceDurationMs / 1000) * SAMPLE_RATE / FRAME_SAMPLES));
    this.#minSpeechFrames = Math.max(1, Math.ceil((options.minSpeechMs / 1000) * SAMPLE_RATE / FRAME_SAMPLES));
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /**
   * Feeds the speech probability of the frame starting at sample `frameStart` (frames come in
   * order, one after the other); returns the event it causes, if any.
   */
  push(probability: number, frameStart: number): TurnEvent | null {
    if (!this.#speaking) {
      if (probability < this.#threshold) {
        this.#voicedStart = -1;
        return null;
      }
      if (this.#voicedStart < 0) this.#voicedStart = frameStart;
      if ((frameStart - this.#voicedStart) / FRAME_SAMPLES + 1 < this.#minSpeechFrames) return null;
      this.#speaking = true;
      this.#silenceStart = -1;
      return { type: "speech_started", sample: this.#voicedStart };
    }
    if (probability >= this.#negThreshold) {
      this.#silenceStart = -1;
      return null;
    }
    if (this.#silenceStart < 0) this.#silenceStart = frameStart;
    if ((frameStart - this.#silenceStart) / FRAME_SAMPLES + 1 < this.#silenceFrames) return null;
    const sample = this.#silenceStart;
    this.reset();
    return { type: "speech_stopped", sample };
  }

  /** Forgets the current turn (after a commit or clear). */
  reset(): void {
    this.#speaking = false;
    this.#voicedStart = -1;
    this.#silenceStart = -1;
  }
}
