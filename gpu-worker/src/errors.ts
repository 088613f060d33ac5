/**
 * Every error the speech worker answers with, in the OpenAI error shape
 * `{ error: { message, type, param, code } }`, declared once with its HTTP status.
 * Covers the error catalogue and the Fastify error handler; routes throw `ApiError`.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MULTIPART_LIMITS } from "./config.ts";

export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "rate_limit_error"
  | "server_error";

export const ERRORS = {
  invalid_api_key: { status: 401, type: "invalid_request_error", message: "Incorrect or missing API key. Send `Authorization: Bearer <SPEECH_API_KEY>`." },
  invalid_request: { status: 400, type: "invalid_request_error", message: "Invalid request." },
  invalid_json: { status: 400, type: "invalid_request_error", message: "Request body is not valid JSON." },
  missing_file: { status: 400, type: "invalid_request_error", message: "A multipart `file` field is required." },
  empty_file: { status: 400, type: "invalid_request_error", message: "The uploaded file is empty." },
  invalid_audio: { status: 400, type: "invalid_request_error", message: "The file could not be decoded as audio." },
  unsupported_media_type: { status: 415, type: "invalid_request_error", message: "Unsupported content type." },
  file_too_large: { status: 413, type: "invalid_request_error", message: "The uploaded file is too large." },
  too_many_parts: { status: 413, type: "invalid_request_error", message: "The multipart body has too many parts." },
  decode_timeout: { status: 400, type: "invalid_request_error", message: "Decoding the file took longer than FFMPEG_TIMEOUT_MS." },
  audio_too_long: { status: 400, type: "invalid_request_error", message: "The audio is too long." },
  input_too_long: { status: 400, type: "invalid_request_error", message: "The input text is too long." },
  unsupported_language: { status: 400, type: "invalid_request_error", message: "This language is not supported by the loaded model." },
  unknown_voice: { status: 400, type: "invalid_request_error", message: "Unknown voice." },
  model_not_found: { status: 404, type: "invalid_request_error", message: "The model does not exist." },
  not_found: { status: 404, type: "invalid_request_error", message: "Not found." },
  queue_full: { status: 429, type: "rate_limit_error", message: "The speech worker is busy; retry after the delay in Retry-After." },
  client_closed: { status: 499, type: "invalid_request_error", message: "The client closed the connection before the answer was ready." },
  inference_timeout: { status: 503, type: "server_error", message: "Inference ran longer than INFERENCE_TIMEOUT_MS." },
  model_not_loaded: { status: 503, type: "server_error", message: "The model is not loaded on this worker." },
  unavailable: { status: 503, type: "server_error", message: "The service is unavailable." },
  internal: { status: 500, type: "server_error", message: "Internal error." },
} as const satisfies Record<string, { status: number; type: OpenAIErrorType; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; param: string | null; code: ErrorCode };
}

export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ErrorCode;
  readonly status: number;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, options: { param?: string; headers?: Record<string, string>; cause?: unknown } = {}) {
    super(message ?? ERRORS[code].message, { cause: options.cause });
    this.code = code;
    this.status = ERRORS[code].status;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: ERRORS[this.code].type, param: this.param, code: this.code } };
  }
}

/** Maps Fastify's own errors (body too large, bad JSON, bad content type, multipart limits). */
function fromFastifyError(err: FastifyError): ApiError {
  const status = err.statusCode ?? 500;
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
      return new ApiError("file_too_large", err.message);
    case "FST_FILES_LIMIT":
      return new ApiError("too_many_parts", `Send exactly one file, in the multipart \`file\` field (at most ${MULTIPART_LIMITS.files}).`, { param: "file" });
    case "FST_FIELDS_LIMIT":
      return new ApiError("too_many_parts", `The multipart body has too many fields (at most ${MULTIPART_LIMITS.fields}).`);
    case "FST_PARTS_LIMIT":
      return new ApiError("too_many_parts", `The multipart body has too many parts (at most ${MULTIPART_LIMITS.parts}: one file and the form fields).`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError("unsupported_media_type", err.message);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("invalid_json", err.message);
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return new ApiError("unsupported_media_type", "Expected multipart/form-data.");
    default:
      break;
  }
  if (err instanceof SyntaxError) return new ApiError("invalid_json", err.message);
  if (status === 413) return new ApiError("file_too_large", err.message);
  if (status === 415) return new ApiError("unsupported_media_type", err.message);
  if (status >= 400 && status < 500) return new ApiError("invalid_request", err.message);
  return new ApiError("internal");
}

/** One error handler for the whole app: logs 5xx with request context, hides their details. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(function speechErrorHandler(err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) {
    // TaskCancelledError (inference/pool.ts): the client left while its task was queued; nobody reads this answer.
    const apiError = err instanceof ApiError ? err : err.name === "TaskCancelledError" ? new ApiError("client_closed", err.message) : fromFastifyError(err as FastifyError);
    if (apiError.status >= 500) {
      request.log.error({ err, url: request.url, method: request.method }, "request failed");
    } else {
      request.log.info({ code: apiError.code, msg: apiError.message }, "request refused");
    }
    reply.headers(apiError.headers).code(apiError.status).send(apiError.toBody());
  });
  app.setNotFoundHandler(function speechNotFound(request, reply) {
    const e = new ApiError("not_found", `No route for ${request.method} ${request.url}.`);
    reply.code(e.status).send(e.toBody());
  });
}
