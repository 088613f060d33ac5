/**
 * Every error the service reports, declared once: a stable code, the HTTP status it maps to
 * on REST routes, and the default message. WebSocket `error` frames carry the same `code`
 * and `message`. The first four messages are the seed's exact strings (docs/decisions.md, Keep).
 */
export const ERRORS = {
  invalid_json: { status: 400, message: "Payload must be JSON" },
  not_object: { status: 400, message: "Payload must be a JSON object" },
  invalid_type: { status: 400, message: "Message type must be a string." },
  unknown_type: { status: 400, message: "Unrecognized message type" },
  invalid_message: { status: 400, message: "Message failed validation" },
  binary_frame: { status: 400, message: "Binary frames are not accepted; send JSON text frames." },
  too_large: { status: 413, message: "Frame is too large" },
  rate_limited: { status: 429, message: "Too many messages; slow down. This message was not processed." },
  no_session: { status: 409, message: "No session yet: send start_session first." },
  session_ended: { status: 409, message: "This session has ended. Start a new session." },
  invalid_style: { status: 400, message: "style must be one of supportive, neutral, cold." },
  invalid_group: { status: 400, message: "group must be control or treatment." },
  unknown_participant: {
    status: 404,
    message: "This participantId was never issued or registered here; nothing was started. Send none to be issued a new one, or use the id the study gave you.",
  },
  participant_required: { status: 400, message: "This study admits registered participants only: send the participantId the study gave you." },
  participant_conflict: { status: 409, message: "This participant already has another arm; a participant's arm never changes." },
  reserved_event: { status: 400, message: "This telemetry event name is reserved for the server." },
  storage_full: { status: 409, message: "This session has stored all the records a session may keep; nothing more is stored for it. Start a new session." },
  empty_clarification: { status: 400, message: "Clarification question is empty." },
  no_prompt: { status: 409, message: "No active prompt yet. Start a session first." },
  validation_failed: { status: 400, message: "Request failed validation" },
  unauthorized: { status: 401, message: "Missing or malformed bearer token." },
  forbidden: { status: 403, message: "This token is not allowed here." },
  not_found: { status: 404, message: "Not found" },
  upgrade_required: { status: 426, message: "Expected a WebSocket upgrade." },
  unavailable: { status: 503, message: "A dependency is unavailable." },
  payload_too_large: { status: 413, message: "The upload is too large." },
  busy: { status: 429, message: "The speech worker is busy; retry after the delay in Retry-After." },
  invalid_audio: { status: 400, message: "The file could not be decoded as audio." },
  no_speech: { status: 422, message: "No speech was found in the audio; nothing was submitted." },
  stale_turn: { status: 409, message: "The answer was for another question (a retry, or an answer already given); nothing was submitted." },
  replay_gap: { status: 409, message: "Some messages after lastSeq are no longer kept; continue from session_resumed." },
  speech_unavailable: { status: 503, message: "Speech is unavailable right now; the interview goes on in text, and voice comes back by itself." },
  audio_too_long: { status: 413, message: "The spoken answer reached the 120 s limit: it was ended there, and what was said so far is transcribed as the answer." },
  audio_not_enabled: { status: 409, message: "Voice is off for this session: start it with audio.input (answers) or audio.output (interviewer audio)." },
  internal: { status: 500, message: "Internal error" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every REST error, and the shape of a WebSocket `error` frame minus `type`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { code, message: message ?? ERRORS[code].message };
}
