/**
 * Voice on the interview socket (opt-in with `start_session.audio`): the client messages that
 * carry a spoken answer and playback reports, and the server messages about speech. A client
 * that does not opt in never sees any of the server messages below.
 *
 * Audio itself travels as binary WebSocket frames: client to server, 16 kHz mono 16-bit
 * little-endian PCM between `audio_start` and the answer's end; server to client, the
 * interviewer's speech between `audio_out_start` and `audio_out_end`.
 */
import * as z from "zod";

/** `start_session.audio`: what the client sends (`input`) and wants to hear (`output`). */
export const AudioOptionsSchema = z.object({
  input: z.literal("pcm16").optional(),
  output: z.enum(["pcm16", "wav"]).optional(),
});
export type AudioOptions = z.output<typeof AudioOptionsSchema>;

/** The sample rate of `pcm16` input: 16 kHz mono, 16-bit little-endian. */
export const AUDIO_INPUT_SAMPLE_RATE = 16_000;
/**
 * A spoken answer is ended by the server at this much audio (3,840,000 bytes of pcm16 at
 * 16 kHz), push-to-talk or not: `error` `audio_too_long`, and what came before is transcribed
 * and submitted as the answer (audio after it is dropped). Two minutes is the upper end of the
 * one to two minutes an interview answer is commonly advised to take, with room for pauses;
 * it bounds what one turn makes the speech worker buffer and transcribe (it was 600 s,
 * about 19 MB).
 */
export const MAX_SPOKEN_ANSWER_SECONDS = 120;
/** Bytes of pcm16 audio a spoken answer may hold (`MAX_SPOKEN_ANSWER_SECONDS` at 16 kHz). */
export const MAX_SPOKEN_ANSWER_BYTES = MAX_SPOKEN_ANSWER_SECONDS * 16_000 * 2;
/** Silence that ends a spoken answer without `audio_end` (server voice activity detection). */
export const VAD_SILENCE_MS = 700;

const turn = z.number().int().min(0);

/** Starts a spoken answer to the question of `turn`; binary pcm16 frames follow. */
export const AudioStartMessage = z.object({ type: z.literal("audio_start"), turn });
/** Push-to-talk release: the spoken answer is complete. */
export const AudioEndMessage = z.object({ type: z.literal("audio_end") });
/** The interviewer's audio of `turn` stopped after `playedMs` (finished, or interrupted). */
export const PlaybackMessage = z.object({
  type: z.literal("playback"),
  turn,
  playedMs: z.number().refine(Number.isFinite, "must be a finite number").min(0),
});

export const VoiceClientMessage = z.discriminatedUnion("type", [AudioStartMessage, AudioEndMessage, PlaybackMessage]);
export type VoiceClientMessage = z.output<typeof VoiceClientMessage>;
export type VoiceClientMessageType = VoiceClientMessage["type"];
export const VOICE_MESSAGE_TYPES: readonly VoiceClientMessageType[] = VoiceClientMessage.options.map((o) => o.shape.type.value);

/** What an interviewer audio voices. */
export const SPOKEN_KINDS = ["question", "follow_up", "clarification", "closing"] as const;
export type SpokenKind = (typeof SPOKEN_KINDS)[number];

/** A word of a transcript, seconds from the start of the answer. */
export interface TranscriptWord {
  word: string;
  start: number;
  end: number;
}

/** A spoken word of the interviewer: seconds into the audio; `from`/`to` index the message text (`text.slice(from, to)`). */
export interface SpokenWord extends TranscriptWord {
  from: number;
  to: number;
}

export interface SpokenMetrics {
  speakingRate: number | null;
  pauseRatio: number | null;
  fillers: number;
  speechSeconds: number | null;
}

export interface AudioOutStart {
  type: "audio_out_start";
  turn: number;
  of: SpokenKind;
  sampleRate: number;
  format: "pcm16" | "wav";
}
export interface AudioOutEnd {
  type: "audio_out_end";
  turn: number;
  durationMs: number;
  words: SpokenWord[];
  /** How the word times were found: `model` (the TTS model's durations) or `estimated` (from the text). */
  timing: "model" | "estimated";
}
/**
 * The interviewer audio of `turn` sent since its `audio_out_start` is withdrawn: stop playing
 * it and drop what is buffered. Only with `stream: true`, when audio of a question was sent
 * while the model wrote it and the message finally sent says something else (`replaced`: the
 * model's reply was unusable and the heuristics wrote the question, or the session ended
 * instead; that message's own `audio_out_start` ... `audio_out_end` follows) or no message
 * followed (`withdrawn`). No `audio_out_end` comes for withdrawn audio.
 */
export interface AudioOutCancel {
  type: "audio_out_cancel";
  turn: number;
  reason: "replaced" | "withdrawn";
}
export interface SpeechStartedOut {
  type: "speech_started";
  turn: number;
}
export interface TranscriptDeltaOut {
  type: "transcript_delta";
  turn: number;
  /** The best current guess of the whole answer so far; replaces the previous one. */
  text: string;
}
export interface TranscriptOut {
  type: "transcript";
  turn: number;
  text: string;
  words: TranscriptWord[];
  metrics: SpokenMetrics;
}
export interface NoSpeechOut {
  type: "no_speech";
  turn: number;
}
export interface TurnTimingOut {
  type: "turn_timing";
  turn: number;
  /**
   * Milliseconds each stage took, in order: transcription, model (to the question text sent;
   * when `streamed`, to the end of the first sentence the audio began with), synthesis (from
   * there to the first audio byte sent).
   */
  stages: { transcription: number; model: number; synthesis: number | null };
  /** The question's first sentence was synthesised while the model still wrote (`stream: true`). */
  streamed?: boolean;
  /** End of speech to the first interviewer audio byte sent (to the question text without audio output). */
  totalMs: number;
}

export type VoiceServerMessage =
  | AudioOutStart
  | AudioOutEnd
  | AudioOutCancel
  | SpeechStartedOut
  | TranscriptDeltaOut
  | TranscriptOut
  | NoSpeechOut
  | TurnTimingOut;

/** Cheap first look, so frames of other types pay nothing: voice messages are short. */
const VOICE_TYPE_PATTERN = /"type"\s*:\s*"(?:audio_start|audio_end|playback)"/;
const VOICE_FRAME_MAX_CHARS = 1_024;

export type ParsedVoiceFrame = { ok: true; message: VoiceClientMessage } | { ok: false; code: "invalid_message" | "no_session"; message: string };

/**
 * A voice message (`audio_start`, `audio_end`, `playback`) validated, or its error; null when
 * the frame is not one (it goes on to `parseClientFrame`, which answers anything malformed).
 */
export function parseVoiceFrame(data: string, context: { hasSession: boolean }): ParsedVoiceFrame | null {
  if (data.length > VOICE_FRAME_MAX_CHARS || !VOICE_TYPE_PATTERN.test(data)) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return null;
  }
  const type = (payload as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !(VOICE_MESSAGE_TYPES as readonly string[]).includes(type)) return null;
  if (!context.hasSession) return { ok: false, code: "no_session", message: "No session yet: send start_session first." };
  const parsed = VoiceClientMessage.safeParse(payload);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join(".") || "(message)";
  return { ok: false, code: "invalid_message", message: `${type}.${field}: ${issue?.message ?? "invalid message"}` };
}
