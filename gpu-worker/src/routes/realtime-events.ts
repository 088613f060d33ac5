/**
 * The messages of GET /v1/realtime?intent=transcription: the client events (zod schemas; every
 * message is checked before it is acted on) and the server events (types), in the OpenAI
 * Realtime transcription protocol. Extensions are marked; the README lists them all.
 */
import { z } from "zod";

export const DEFAULT_SILENCE_MS = 700;
export const DEFAULT_PREFIX_PADDING_MS = 300;

const TurnDetection = z.object({
  type: z.literal("server_vad", { error: "turn_detection.type must be 'server_vad' (or turn_detection null for manual commits)." }),
  threshold: z.number().min(0).max(1).optional(),
  prefix_padding_ms: z.number().int().min(0).max(5_000).optional(),
  silence_duration_ms: z.number().int().min(100).max(10_000).optional(),
  /** Accepted for compatibility; speech start and stop are always announced. */
  create_response: z.boolean().optional(),
  interrupt_response: z.boolean().optional(),
});

const SessionUpdate = z.object({
  type: z.literal("transcription_session.update"),
  event_id: z.string().max(256).optional(),
  session: z.object({
    input_audio_format: z.literal("pcm16", { error: "input_audio_format must be 'pcm16' (16 kHz mono 16-bit little-endian)." }).optional(),
    input_audio_transcription: z.object({
      model: z.string().min(1).max(200).optional(),
      language: z.string().trim().toLowerCase().regex(/^[a-z]{2,3}$/, "language must be an ISO-639-1 code such as 'en'.").optional(),
      prompt: z.string().max(4096).optional(),
    }).nullable().optional(),
    turn_detection: TurnDetection.nullable().optional(),
    input_audio_noise_reduction: z.unknown().optional(),
    include: z.array(z.string().max(200)).max(20).optional(),
  }),
});

const Append = z.object({
  type: z.literal("input_audio_buffer.append"),
  event_id: z.string().max(256).optional(),
  audio: z.base64({ error: "audio must be base64-encoded 16-bit little-endian PCM." }),
});

const Commit = z.object({ type: z.literal("input_audio_buffer.commit"), event_id: z.string().max(256).optional() });
const Clear = z.object({ type: z.literal("input_audio_buffer.clear"), event_id: z.string().max(256).optional() });

export const ClientEvent = z.discriminatedUnion("type", [SessionUpdate, Append, Commit, Clear]);
export type ClientEvent = z.infer<typeof ClientEvent>;
export type SessionUpdateEvent = z.infer<typeof SessionUpdate>;
export const CLIENT_EVENT_TYPES = ["transcription_session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "input_audio_buffer.clear"] as const;

export interface TurnDetectionConfig {
  type: "server_vad";
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
}

export interface SessionConfig {
  input_audio_format: "pcm16";
  input_audio_transcription: { model: string; language: string; prompt: string };
  turn_detection: TurnDetectionConfig | null;
}

export interface TranscriptWord {
  word: string;
  /** Seconds on the session's audio timeline (0 = the first sample the client sent). */
  start: number;
  end: number;
}

/** Every error code an `error` event can carry. */
export type RealtimeErrorCode =
  | "invalid_json"
  | "unknown_event"
  | "invalid_event"
  | "invalid_audio"
  | "unsupported_language"
  | "model_not_found"
  | "input_audio_buffer_commit_empty"
  | "buffer_too_long"
  | "queue_full"
  | "model_not_loaded"
  | "transcription_failed";

export type ServerEvent =
  | { type: "transcription_session.created" | "transcription_session.updated"; session: SessionConfig & { id: string; object: "realtime.transcription_session" } }
  | { type: "input_audio_buffer.speech_started"; audio_start_ms: number; item_id: string }
  | { type: "input_audio_buffer.speech_stopped"; audio_end_ms: number; item_id: string }
  | { type: "input_audio_buffer.committed"; previous_item_id: string | null; item_id: string }
  | { type: "input_audio_buffer.cleared" }
  | { type: "conversation.item.input_audio_transcription.delta"; item_id: string; content_index: 0; delta: string; replace: true }
  | {
      type: "conversation.item.input_audio_transcription.completed";
      item_id: string;
      content_index: 0;
      transcript: string;
      /** Extensions: */
      words: TranscriptWord[];
      no_speech: boolean;
      /** Why the transcript is empty or shorter than what Whisper wrote (null when it is not). */
      discarded: { kind: "no_speech" | "trimmed"; reason: string; text: string } | null;
      audio_start_ms: number;
      audio_end_ms: number;
      speech_seconds: number;
      pause_ratio: number;
    }
  | { type: "conversation.item.input_audio_transcription.failed"; item_id: string; content_index: 0; error: { type: string; code: RealtimeErrorCode; message: string } }
  | { type: "error"; error: { type: "invalid_request_error" | "server_error" | "rate_limit_error"; code: RealtimeErrorCode; message: string; param: string | null; event_id: string | null } };

/** The first issue of a failed parse as one readable line. */
export function describeIssue(error: z.ZodError): { message: string; param: string | null } {
  const issue = error.issues[0]!;
  const param = issue.path.join(".") || null;
  return { message: param ? `${param}: ${issue.message}` : issue.message, param };
}
