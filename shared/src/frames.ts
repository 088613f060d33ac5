/**
 * Edge validation of one inbound WebSocket frame: size, JSON, envelope, then the message's
 * schema. Returns either the typed message or the error to send back; it never throws, so
 * bad input can never drop the socket (docs/decisions.md, Fix).
 */
import { ClientMessage, CLIENT_MESSAGE_TYPES, SESSION_BOUND_TYPES, type ClientMessageType } from "./protocol.ts";
import { ERRORS, type ErrorCode } from "./errors.ts";
import { MAX_FRAME_BYTES } from "./limits.ts";
import type { z } from "zod";

export type ParsedFrame =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: ErrorCode; message: string };

const fail = (code: ErrorCode, message: string = ERRORS[code].message): ParsedFrame => ({ ok: false, code, message });

/** Fields whose failure has its own code, so clients can react without parsing prose. */
const FIELD_ERROR_CODES: Record<string, ErrorCode> = {
  group: "invalid_group",
  // A malformed id cannot be one the server issued or a study registered.
  "start_session.participantId": "unknown_participant",
  "switch_style.style": "invalid_style",
};

/**
 * `hasSession` lets a session-bound message sent before `start_session` answer `no_session`
 * whatever its fields hold (docs/decisions.md, Fix), rather than a validation error.
 */
export function parseClientFrame(data: string | ArrayBuffer, context: { hasSession: boolean } = { hasSession: true }): ParsedFrame {
  if (typeof data !== "string") {
    return data.byteLength > MAX_FRAME_BYTES ? tooLarge(data.byteLength) : fail("binary_frame");
  }
  // UTF-16 length is a cheap lower bound on UTF-8 size; only measure exactly near the limit.
  if (data.length > MAX_FRAME_BYTES / 4) {
    const bytes = new TextEncoder().encode(data).byteLength;
    if (bytes > MAX_FRAME_BYTES) return tooLarge(bytes);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return fail("invalid_json");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return fail("not_object");
  const type = (payload as { type?: unknown }).type;
  if (typeof type !== "string") return fail("invalid_type");
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return fail("unknown_type", `Unrecognized message type: ${type}`);
  }
  if (!context.hasSession && SESSION_BOUND_TYPES.has(type as ClientMessageType)) return fail("no_session");
  const parsed = ClientMessage.safeParse(payload);
  if (parsed.success) return { ok: true, message: parsed.data };
  return validationFailure(type, parsed.error);
}

function tooLarge(bytes: number): ParsedFrame {
  return fail("too_large", `Frame is ${bytes} bytes; the limit is ${MAX_FRAME_BYTES} bytes.`);
}

function validationFailure(type: string, error: z.ZodError): ParsedFrame {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") ?? "";
  const code = FIELD_ERROR_CODES[`${type}.${field}`] ?? FIELD_ERROR_CODES[field] ?? "invalid_message";
  const detail = issue ? `${type}.${field || "(message)"}: ${issue.message}` : `${type}: invalid message`;
  return fail(code, code === "invalid_message" ? detail : `${ERRORS[code].message} (${detail})`);
}
