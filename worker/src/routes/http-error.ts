/** A refusal with our error code, for the app's error handler to answer as `{code, message}`. */
import { HTTPException } from "hono/http-exception";
import type { ErrorCode } from "@interview/shared";

export function fail(status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 503, code: ErrorCode, message: string): HTTPException {
  return new HTTPException(status, { message, cause: code });
}
