/**
 * What to tell a person for each refusal the server can give (the error catalogue in
 * shared/src/errors.ts): plain words and the next step. The server's own message is shown
 * too where it says more (it names the field that failed validation, for instance).
 */
import type { ErrorCode } from "@interview/shared/errors";

const PLAIN: Partial<Record<ErrorCode, string>> = {
  rate_limited: "The server is busy with too many requests from here; nothing was lost.",
  unauthorized: "This needs the admin token. Enter it above.",
  forbidden: "The server refused this token. Check the admin token and enter it again.",
  not_found: "The server does not know this session (it may have been deleted).",
  unavailable: "A service the server depends on is unavailable right now. Try again in a moment.",
  validation_failed: "The server could not accept that input.",
  invalid_message: "The server could not accept that input.",
  unknown_participant: "The server no longer knows your participant id; a new one is being issued.",
  participant_required: "This study admits registered participants only; the study gives you an id to use.",
  invalid_style: "That is not an interviewer style.",
  no_session: "Start an interview first.",
  session_ended: "This interview has ended. Start a new one.",
  empty_clarification: "Type what you would like the interviewer to clarify.",
  no_prompt: "There is no question to clarify yet.",
  too_large: "That is too long to send.",
  replay_gap: "Some earlier messages could not be recovered after the reconnect; the interview continues from here.",
  internal: "The server failed unexpectedly. Try again.",
  speech_unavailable: "Speech is unavailable right now; the interview goes on in text.",
  audio_not_enabled: "Voice is off for this session.",
};

/** One sentence for the person, from a refusal's code, the server's message and an optional wait. */
export function describeRefusal(code: string, serverMessage?: string, retryAfterSeconds?: number | null): string {
  const plain = PLAIN[code as ErrorCode];
  const wait = retryAfterSeconds ? ` Try again in ${Math.ceil(retryAfterSeconds)} s.` : "";
  if (!plain) return `${serverMessage ?? "The server refused this"} (${code}).${wait}`;
  const detail = serverMessage && !plain.includes(serverMessage) ? ` Server: ${serverMessage}` : "";
  return `${plain}${wait}${detail}`;
}
