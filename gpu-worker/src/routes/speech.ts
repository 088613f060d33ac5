/**
 * POST /v1/audio/speech, the OpenAI shape (JSON `model`, `input`, `voice`, `speed`,
 * `response_format` wav | pcm). The voice picks the engine: a Kokoro voice or a Piper voice. With `stream: true` (extension) the audio is sent as chunked
 * transfer, one sentence at a time as each is synthesised: a WAV header of unknown length then
 * 16-bit PCM, or bare PCM; a failure after the first sentence cuts the response without its
 * terminating chunk, an error for any HTTP client. OpenAI voice names map to Kokoro voices of similar character.
 * Synthesis and the WAV/PCM encoding run in the TTS worker threads; this thread only sends the
 * bytes they hand back.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { PassThrough } from "node:stream";
import * as z from "zod";
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";
import { normaliseText, splitSentences } from "../pipelines/text.ts";
import { wavHeader } from "../pipelines/wav.ts";
import { modelIds } from "./models.ts";
import { clientGone } from "./client-signal.ts";
import { sendContinue } from "../plugins/expect-continue.ts";

export const OPENAI_VOICES: Record<string, string> = {
  alloy: "af_alloy", ash: "am_adam", ballad: "bm_george", coral: "af_heart", echo: "am_echo", fable: "bm_fable",
  nova: "af_nova", onyx: "am_onyx", sage: "af_sarah", shimmer: "af_bella", verse: "am_michael",
};

const Body = z.object({
  model: z.string({ error: "`model` is required." }).min(1, "`model` is required."),
  input: z.string({ error: "`input` must be a string." }),
  voice: z.string().optional(),
  speed: z.number({ error: "`speed` must be a number." }).min(0.25, "`speed` must be between 0.25 and 4.").max(4, "`speed` must be between 0.25 and 4.").default(1),
  response_format: z.enum(["wav", "pcm"], { error: "`response_format` must be wav or pcm (this worker does not encode mp3, opus, aac or flac)." }).default("wav"),
  stream: z.boolean({ error: "`stream` must be a boolean." }).default(false),
  instructions: z.string().optional(),
});

/** The worker's bytes as a Buffer over the same memory (no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export default async function speechRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  const accepted = new Set(modelIds(config).tts);

  // A full engine refuses before the JSON body is read and parsed (the handler's `admit` stays
  // the authority: a place can be taken meanwhile); "100 Continue" only after this check.
  const refuseWhenFull = async function refuseWhenFull(request: FastifyRequest, reply: FastifyReply) {
    if (app.speech.tts?.full) throw app.speech.tts.busy();
    sendContinue(request, reply);
  };

  app.post("/v1/audio/speech", { onRequest: refuseWhenFull, config: { deferContinue: true } }, async function speak(request, reply) {
    const gone = clientGone(reply);
    if (request.body === null || typeof request.body !== "object" || Array.isArray(request.body)) {
      throw new ApiError("invalid_request", "The body must be a JSON object.");
    }
    const parsed = Body.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.join(".") || null;
      throw new ApiError("invalid_request", issue.message.startsWith("`") ? issue.message : `${param}: ${issue.message}`, param ? { param } : {});
    }
    const body = parsed.data;
    if (!accepted.has(body.model)) throw new ApiError("model_not_found", `The model '${body.model}' does not exist. Use one of: ${[...accepted].join(", ")}.`, { param: "model" });
    if (body.input.trim().length === 0) throw new ApiError("invalid_request", "`input` is empty.", { param: "input" });
    if (body.input.length > config.MAX_TTS_CHARS) throw new ApiError("input_too_long", `\`input\` has ${body.input.length} characters; the limit is ${config.MAX_TTS_CHARS} (MAX_TTS_CHARS).`, { param: "input" });

    const pool = app.speech.tts;
    if (!pool?.info?.loaded) throw new ApiError("model_not_loaded", `Text-to-speech is not available: ${pool?.info?.error ?? "disabled (KOKORO_MODEL is empty)"}.`);
    const defaultVoice = app.speech.defaultVoice; // DEFAULT_VOICE, or the first installed voice when it is not installed
    const requested = body.voice ?? defaultVoice;
    const voices = pool.info.voices;
    // OpenAI names map to a Kokoro voice of similar character, or to DEFAULT_VOICE when that
    // one is not installed, so stock clients always get audio; other names must exist.
    const mapped = OPENAI_VOICES[requested];
    const voice = voices.includes(requested) ? requested : mapped ? (voices.includes(mapped) ? mapped : defaultVoice) : undefined;
    if (!voice || !voices.includes(voice)) {
      throw new ApiError("unknown_voice", `Unknown voice '${requested}'. Available: ${pool.info.voices.join(", ")}.`, { param: "voice" });
    }
    const contentType = (rate: number) => (body.response_format === "wav" ? "audio/wav" : `audio/pcm;rate=${rate};encoding=signed-int;bits=16;channels=1`);

    const admission = pool.admit(); // 429 queue_full before any synthesis
    let streaming = false;
    try {
      if (!body.stream) {
        const result = await admission.synthesize({ kind: "synthesize", text: body.input, voice, speed: body.speed, encoding: body.response_format === "wav" ? "wav" : "pcm16" }, gone);
        app.metrics.inferenceSeconds.observe({ engine: "tts" }, result.inferenceMs / 1000);
        app.metrics.audioSeconds.inc({ engine: "tts" }, result.samples / result.sampleRate);
        reply.header("content-type", contentType(result.sampleRate));
        reply.header("x-sample-rate", String(result.sampleRate));
        return asBuffer(result.bytes);
      }

      // Streaming: the first sentence is synthesised before any byte is sent, so a failure
      // there still gets a proper error status. A later failure cannot change the status any
      // more: the response is then cut without chunked encoding's terminating chunk (the socket
      // is destroyed), which every HTTP client reports as an error (fetch: "terminated", curl:
      // exit 18, Node http: "aborted"), so truncated audio never looks complete.
      const sentences = splitSentences(normaliseText(body.input));
      const first = await admission.synthesize({ kind: "synthesize", text: sentences[0] ?? body.input, voice, speed: body.speed, encoding: "pcm16" }, gone);
      const stream = new PassThrough();
      const sampleRate = first.sampleRate;
      reply.header("content-type", contentType(sampleRate));
      reply.header("x-sample-rate", String(sampleRate));
      if (body.response_format === "wav") stream.write(wavHeader(sampleRate, 0xffffffff));
      stream.write(asBuffer(first.bytes));
      const rest = sentences.slice(1);
      streaming = true;
      void (async function streamRest() {
        try {
          for (const sentence of rest) {
            if (stream.destroyed || gone.aborted) return;
            const r = await admission.synthesize({ kind: "synthesize", text: sentence, voice, speed: body.speed, encoding: "pcm16" }, gone);
            app.metrics.audioSeconds.inc({ engine: "tts" }, r.samples / r.sampleRate);
            stream.write(asBuffer(r.bytes));
          }
          stream.end();
        } catch (err) {
          if (gone.aborted) return void stream.destroy(); // the client left; its queued sentences were dropped
          request.log.error({ err }, "streaming synthesis failed; the response is cut without its terminating chunk");
          // Fastify destroys the socket when a stream it pipes fails after the headers went out.
          stream.destroy(err instanceof Error ? err : new Error(String(err)));
        } finally {
          admission.release();
        }
      })();
      return reply.send(stream);
    } finally {
      if (!streaming) admission.release();
    }
  });
}
