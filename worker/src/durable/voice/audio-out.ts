/**
 * What the interviewer's audio is made of, shared by the message jobs (interviewer-voice.ts)
 * and the question voiced while the model writes it (streamed-question.ts).
 */
import type { AudioOptions, SpokenKind, SpokenWord, Style } from "@interview/shared";
import type { TimedSpeech } from "../../clients/speech-client.ts";

/** The voice every compatible speech server knows (the speech worker maps it to Kokoro's). */
export const VOICE = "alloy";

/** Who is spoken to and how: what a message's voice and a streamed question's share. */
export interface Voicing {
  sessionId: string;
  turn: number;
  style: Style;
  format: NonNullable<AudioOptions["output"]>;
}

/** One message to voice. */
export interface Job extends Voicing {
  of: SpokenKind;
  text: string;
}

/**
 * When the first audio byte of a turn's message was sent (`at`), and, for a question voiced
 * while the model wrote it, when the text of the sentence it began with was complete
 * (`textAt`; null otherwise): for `turn_timing`.
 */
export interface FirstByte {
  at: number;
  textAt: number | null;
}

/** A word of synthesised speech, `from`/`to` into the sentence synthesised. */
export type SpeechWord = TimedSpeech["words"][number];
/** Where a word is in the message text (null: it cannot be placed). */
export type Placed = { word: string; from: number; to: number } | null;

/** What one `audio_out_start` ... `audio_out_end` has sent so far. */
export class Emission {
  started = false;
  sampleRate = 0;
  samples = 0;
  /** Seconds into the audio where the latest sentence began. */
  lastAt = 0;
  model = true;
  words: SpokenWord[] = [];
  firstAt: number | null = null;
  firstTextAt: number | null = null;
  /** Called once, when the first byte goes out (a streamed question resolves its own when it is sure to stay). */
  onFirstByte: ((at: number) => void) | null = null;
}

export function round3(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
