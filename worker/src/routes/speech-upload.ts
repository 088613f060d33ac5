/**
 * Speech uploads: the body limits that refuse before anything is parsed or forwarded, and
 * reading a multipart upload (`POST /stt`, `POST /sessions/:id/answers/audio`; `/tts`'s JSON
 * body limit too).
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { HTTPException } from "hono/http-exception";
import { errorBody } from "@interview/shared";
import { SPEECH_LIMITS } from "@interview/shared/rest";
import { fail } from "./http-error.ts";

/** Any route's context: these helpers read only bindings, headers and the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SpeechContext = Context<any, any, any>;

/** `POST /tts` takes at most 4096 characters of JSON text: 64 KiB is room enough. */
export const TTS_BODY_LIMIT_BYTES = 64 * 1024;

/** 413 for a /tts body over 64 KiB, before it is parsed. */
export const ttsBodyLimit = bodyLimit({
  maxSize: TTS_BODY_LIMIT_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", "The request body is larger than 64 KiB."), 413),
});

/** Room for the multipart envelope and the text fields around a maximal file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** 413 before anything is parsed or forwarded, by Content-Length or by counting the stream. */
export const uploadLimit = bodyLimit({
  maxSize: SPEECH_LIMITS.maxUploadBytes + MULTIPART_OVERHEAD_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", tooLargeMessage()), 413),
});

function tooLargeMessage(): string {
  return `The upload is larger than ${SPEECH_LIMITS.maxUploadBytes / (1024 * 1024)} MiB.`;
}

export interface Upload {
  file: File;
  fields: Record<string, string>;
}

/**
 * The multipart `file` and the text fields; 400 when it is not multipart, when `file` is not
 * exactly one file, or when one of `textFields` (the route's known fields) arrives as a file.
 */
export async function readUpload(c: SpeechContext, textFields: readonly string[]): Promise<Upload> {
  let form: FormData;
  try {
    form = await c.req.formData();
  } catch {
    throw fail(400, "validation_failed", "file: send the audio as multipart/form-data with a `file` field");
  }
  const files = form.getAll("file");
  if (files.length > 1) throw fail(400, "validation_failed", "file: send exactly one file");
  const file = files[0];
  if (file === undefined || typeof file === "string") throw fail(400, "validation_failed", "file: a multipart file is required");
  for (const name of textFields) {
    if (form.getAll(name).some((value) => typeof value !== "string")) throw fail(400, "validation_failed", `${name}: must be a text field, not a file`);
  }
  if (file.size === 0) throw fail(400, "invalid_audio", "file: the uploaded file is empty");
  if (file.size > SPEECH_LIMITS.maxUploadBytes) throw fail(413, "payload_too_large", tooLargeMessage());
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) if (typeof value === "string") fields[name] = value;
  return { file, fields };
}

/** Field problems in the shared validation shape (`field: problem; …`). */
export function invalidFields(issues: readonly { path: readonly PropertyKey[]; message: string }[]): HTTPException {
  return fail(400, "validation_failed", issues.map((i) => `${i.path.map(String).join(".") || "body"}: ${i.message}`).join("; "));
}
