/**
 * POST /v1/audio/transcriptions, the OpenAI shape (multipart `file`, `model`, `language`,
 * `prompt`, `response_format`, `timestamp_granularities[]`, `temperature`) plus extension
 * fields `speech_seconds` and `pause_ratio` from Silero VAD. Decoding starts here: a WAV's
 * header is checked (its samples are converted in the worker), anything else goes to an ffmpeg
 * child process (capped, timed, killed when the client leaves); VAD and Whisper run in the ASR
 * worker threads, which receive the bytes by transfer. Nothing is read before the request is
 * admitted (415, 503, a declared length past the limit 413, a full engine 429 come first).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Multipart, MultipartFile } from "@fastify/multipart";
import { z } from "zod";
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";
import { decodeAudio, DecodeCancelledError, DecodeError, FfmpegRunner, FfmpegTimeoutError, FfmpegUnavailableError, findFfmpeg, uploadFrames, uploadSampleRate } from "../pipelines/decode.ts";
import { toSrt, toVtt } from "../pipelines/formats.ts";
import { AudioTooLongError } from "../pipelines/wav.ts";
import type { TranscribeResult } from "../inference/types.ts";
import type { Admission, EnginePool } from "../inference/pool.ts";
import { collectUpload, refuseDeclaredTooLarge } from "./upload.ts";
import { sendContinue } from "../plugins/expect-continue.ts";
import { modelIds } from "./models.ts";
import { clientGone } from "./client-signal.ts";

const LANGUAGE_NAMES: Record<string, string> = {
  en: "english", de: "german", fr: "french", es: "spanish", it: "italian", nl: "dutch", pt: "portuguese",
  pl: "polish", sv: "swedish", ru: "russian", uk: "ukrainian", ja: "japanese", zh: "chinese", ko: "korean",
  tr: "turkish", ar: "arabic", hi: "hindi", cs: "czech", da: "danish", fi: "finnish", no: "norwegian",
};

const Fields = z.object({
  model: z.string({ error: "`model` is required." }).min(1, "`model` is required."),
  language: z.string().trim().toLowerCase().regex(/^[a-z]{2,3}$/, "`language` must be an ISO-639-1 code such as 'en'.").default("en"),
  prompt: z.string().max(4096).optional(),
  response_format: z.enum(["json", "verbose_json", "text", "srt", "vtt"]).default("json"),
  temperature: z.coerce.number({ error: "`temperature` must be a number." }).min(0).max(1).default(0),
  timestamp_granularities: z.array(z.enum(["word", "segment"])).default([]),
});

function firstIssue(error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const param = issue.path.join(".") || null;
  return new ApiError("invalid_request", issue.message.startsWith("`") ? issue.message : `${param ?? "request"}: ${issue.message}`, param ? { param } : {});
}

/** The file part's bytes (see collectUpload); a file past the limit is the same RequestFileTooLargeError `toBuffer()` throws (413). */
async function readFile(app: FastifyInstance, part: MultipartFile, maxBytes: number): Promise<Uint8Array> {
  const bytes = await collectUpload(part.file, maxBytes);
  if (part.file.truncated) {
    const err = new app.multipartErrors.RequestFileTooLargeError();
    Object.assign(err, { part });
    throw err;
  }
  return bytes;
}

async function readMultipart(app: FastifyInstance, request: FastifyRequest, maxBytes: number): Promise<{ file: Uint8Array | null; filename: string | null; fields: Record<string, unknown> }> {
  const fields: Record<string, unknown> = {};
  const granularities: string[] = [];
  let file: Uint8Array | null = null;
  let filename: string | null = null;
  for await (const part of request.parts() as AsyncIterableIterator<Multipart>) {
    if (part.type === "file") {
      if (part.fieldname !== "file" || file) {
        for await (const _chunk of part.file) { /* drained, not kept: only `file` is read */ }
        continue;
      }
      file = await readFile(app, part, maxBytes);
      filename = part.filename;
    } else if (part.fieldname === "timestamp_granularities[]" || part.fieldname === "timestamp_granularities") {
      granularities.push(String(part.value));
    } else {
      fields[part.fieldname] = part.value;
    }
  }
  if (granularities.length) fields.timestamp_granularities = granularities;
  return { file, filename, fields };
}

function openaiVerbose(result: TranscribeResult, granularities: string[]) {
  const wantWords = granularities.includes("word");
  const wantSegments = granularities.length === 0 || granularities.includes("segment");
  return {
    task: "transcribe",
    language: LANGUAGE_NAMES[result.language] ?? result.language,
    duration: result.duration,
    text: result.text,
    ...(wantSegments
      ? { segments: result.segments.map((s) => ({ id: s.id, seek: 0, start: s.start, end: s.end, text: s.text, tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0 })) }
      : {}),
    ...(wantWords ? { words: result.words } : {}),
    speech_seconds: result.speechSeconds,
    pause_ratio: result.pauseRatio,
    speech_segments: result.speech,
    // No invented answers (pipelines/hallucination.ts): nothing said, and what Whisper wrote that was dropped.
    no_speech: result.text === "",
    discarded: result.discarded,
  };
}

export default async function transcriptionRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  const accepted = new Set(modelIds(config).asr);

  const ffmpeg = new FfmpegRunner({ path: findFfmpeg(config.FFMPEG_PATH), maxProcesses: config.FFMPEG_MAX_PROCESSES, timeoutMs: config.FFMPEG_TIMEOUT_MS });

  app.post("/v1/audio/transcriptions", { config: { deferContinue: true } }, async function transcribe(request, reply) {
    const gone = clientGone(reply); // before the upload and decoding, so a client leaving then is seen too
    // Refusals that need no byte of the body come first: nothing is read, buffered or decoded
    // for a request that cannot be served (the unread body is discarded by Node, keeping the connection).
    if (!request.isMultipart()) throw new ApiError("unsupported_media_type", "Send the audio as multipart/form-data with a `file` field.");
    const pool = app.speech.asr;
    if (!pool?.info?.loaded) throw new ApiError("model_not_loaded", `Speech-to-text is not available: ${pool?.info?.error ?? "disabled (WHISPER_MODEL is empty)"}.`);
    refuseDeclaredTooLarge(request.headers["content-length"], config.MAX_UPLOAD_BYTES);
    const admission = pool.admit(); // 429 queue_full here, before the upload is read
    sendContinue(request, reply); // a client that sent `Expect: 100-continue` may now send the body
    try {
      return await transcribeAdmitted(request, reply, pool, admission, gone);
    } finally {
      admission.release();
    }
  });

  async function transcribeAdmitted(request: FastifyRequest, reply: FastifyReply, pool: EnginePool, admission: Admission, gone: AbortSignal) {
    const { file, fields } = await readMultipart(app, request, config.MAX_UPLOAD_BYTES);
    const parsed = Fields.safeParse(fields);
    if (!parsed.success) throw firstIssue(parsed.error);
    const body = parsed.data;
    if (!accepted.has(body.model)) throw new ApiError("model_not_found", `The model '${body.model}' does not exist. Use one of: ${[...accepted].join(", ")}.`, { param: "model" });
    if (body.timestamp_granularities.length && body.response_format !== "verbose_json") {
      throw new ApiError("invalid_request", "`timestamp_granularities` requires `response_format` verbose_json.", { param: "timestamp_granularities" });
    }
    if (!file) throw new ApiError("missing_file", undefined, { param: "file" });
    if (file.length === 0) throw new ApiError("empty_file", undefined, { param: "file" });

    const info = pool.info!;
    if (!info.multilingual && body.language !== "en") {
      throw new ApiError("unsupported_language", `${info.model} is an English-only Whisper model: \`language\` must be 'en' (or left out), not '${body.language}'. Load a multilingual model (without .en) for other languages.`, { param: "language" });
    }
    if (!info.languages.includes(body.language)) {
      throw new ApiError("unsupported_language", `Language '${body.language}' is not supported by ${info.model}. Supported: ${info.languages.join(", ")}.`, { param: "language" });
    }

    if (body.timestamp_granularities.includes("word") && !info.wordTimestamps) {
      throw new ApiError("invalid_request", `Word timestamps are not available with ${info.model}: it needs a decoder exported with cross-attention outputs and alignment_heads in generation_config.json (e.g. onnx-community/whisper-base_timestamped).`, { param: "timestamp_granularities" });
    }

    let audio;
    try {
      audio = await decodeAudio(file, { ffmpeg, maxSeconds: config.MAX_AUDIO_SECONDS, signal: gone });
    } catch (err) {
      if (err instanceof DecodeCancelledError) throw new ApiError("client_closed", err.message, { cause: err });
      if (err instanceof FfmpegTimeoutError) throw new ApiError("decode_timeout", `The file took longer than ${config.FFMPEG_TIMEOUT_MS} ms to decode (FFMPEG_TIMEOUT_MS); ffmpeg was stopped.`, { param: "file", cause: err });
      if (err instanceof AudioTooLongError) throw new ApiError("audio_too_long", `The audio lasts more than ${config.MAX_AUDIO_SECONDS} s (MAX_AUDIO_SECONDS).`, { param: "file", cause: err });
      if (err instanceof FfmpegUnavailableError) {
        throw new ApiError("unavailable", `This worker cannot decode compressed audio right now (${err.message}). WAV uploads still work.`, { cause: err, headers: { "retry-after": String(config.RETRY_AFTER_SECONDS) } });
      }
      if (err instanceof DecodeError) throw new ApiError("invalid_audio", `The file could not be decoded as audio: ${err.message}`, { param: "file", cause: err });
      throw err;
    }
    const seconds = uploadFrames(audio) / uploadSampleRate(audio);
    if (uploadFrames(audio) === 0) throw new ApiError("invalid_audio", "The file decoded to no audio samples.", { param: "file" });
    if (seconds > config.MAX_AUDIO_SECONDS) throw new ApiError("audio_too_long", `The audio lasts more than ${config.MAX_AUDIO_SECONDS} s (MAX_AUDIO_SECONDS).`, { param: "file" });

    const granularities = body.timestamp_granularities;
    const verbose = body.response_format === "verbose_json";
    const result = await admission.transcribe({
      kind: "transcribe",
      audio, // WAV bytes or ffmpeg's samples, transferred to the worker (`file` is detached after this)
      language: body.language,
      temperature: body.temperature,
      words: verbose && granularities.includes("word"),
      segments: body.response_format !== "json" && body.response_format !== "text",
    }, gone);
    app.metrics.inferenceSeconds.observe({ engine: "asr" }, result.inferenceMs / 1000);
    app.metrics.audioSeconds.inc({ engine: "asr" }, result.duration);
    app.metrics.whisperSeconds.inc(result.whisperSeconds);

    switch (body.response_format) {
      case "text":
        reply.type("text/plain; charset=utf-8");
        return result.text;
      case "srt":
        reply.type("text/plain; charset=utf-8");
        return toSrt(result.segments);
      case "vtt":
        reply.type("text/vtt; charset=utf-8");
        return toVtt(result.segments);
      case "verbose_json":
        return openaiVerbose(result, granularities);
      default:
        return { text: result.text, speech_seconds: result.speechSeconds, pause_ratio: result.pauseRatio, no_speech: result.text === "" };
    }
  }
}
