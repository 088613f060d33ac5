/**
 * POST /v1/audio/speech/with-timestamps (extension; the name follows ElevenLabs' text-to-speech
 * "with-timestamps", which also answers JSON with base64 audio): the speech route's body, and
 * the audio comes back with when each written word is spoken, for captions that highlight the
 * words as written: `words: [{word, start, end, from, to}]`, `from`/`to` indexing `input`
 * ("$100" is one span). Times from the model's own token durations where the export outputs
 * them (`timing: "model"`), else from phoneme counts (`"estimated"`): pipelines/word-timings.ts.
 */
import type { FastifyInstance } from "fastify";
import * as z from "zod";
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";
import { modelIds } from "./models.ts";
import { OPENAI_VOICES } from "./speech.ts";
import { clientGone } from "./client-signal.ts";

const Body = z.object({
  model: z.string({ error: "`model` is required." }).min(1, "`model` is required."),
  input: z.string({ error: "`input` must be a string." }).refine((s) => s.trim().length > 0, "`input` is empty."),
  voice: z.string().optional(),
  speed: z.number({ error: "`speed` must be a number." }).min(0.25, "`speed` must be between 0.25 and 4.").max(4, "`speed` must be between 0.25 and 4.").default(1),
  response_format: z.enum(["wav", "pcm"], { error: "`response_format` must be wav or pcm." }).default("pcm"),
  instructions: z.string().optional(),
});

export default async function speechTimestampRoutes(app: FastifyInstance, opts: { config: Config }) {
  const { config } = opts;
  const accepted = new Set(modelIds(config).tts);

  app.post("/v1/audio/speech/with-timestamps", async function speakWithTimestamps(request, reply) {
    const gone = clientGone(reply); // a client that leaves drops its task from the queue
    const parsed = Body.safeParse(request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.join(".") || null;
      throw new ApiError("invalid_request", issue.message.startsWith("`") ? issue.message : `${param ?? "body"}: ${issue.message}`, param ? { param } : {});
    }
    const body = parsed.data;
    if (!accepted.has(body.model)) throw new ApiError("model_not_found", `The model '${body.model}' does not exist. Use one of: ${[...accepted].join(", ")}.`, { param: "model" });
    if (body.input.length > config.MAX_TTS_CHARS) throw new ApiError("input_too_long", `\`input\` has ${body.input.length} characters; the limit is ${config.MAX_TTS_CHARS} (MAX_TTS_CHARS).`, { param: "input" });
    const pool = app.speech.tts;
    if (!pool?.info?.loaded) throw new ApiError("model_not_loaded", `Text-to-speech is not available: ${pool?.info?.error ?? "disabled (KOKORO_MODEL is empty)"}.`);
    const voices = pool.info.voices;
    const requested = body.voice ?? app.speech.defaultVoice;
    const mapped = OPENAI_VOICES[requested];
    // As the speech route: OpenAI names map to a similar voice or the default; others must exist.
    const voice = voices.includes(requested) ? requested : mapped ? (voices.includes(mapped) ? mapped : app.speech.defaultVoice) : undefined;
    if (!voice || !voices.includes(voice)) throw new ApiError("unknown_voice", `Unknown voice '${requested}'. Available: ${voices.join(", ")}.`, { param: "voice" });
    const result = await pool.synthesize({ kind: "synthesize", text: body.input, voice, speed: body.speed, encoding: body.response_format === "wav" ? "wav" : "pcm16", words: true }, gone);
    app.metrics.inferenceSeconds.observe({ engine: "tts" }, result.inferenceMs / 1000);
    app.metrics.audioSeconds.inc({ engine: "tts" }, result.samples / result.sampleRate);
    return {
      format: body.response_format,
      sample_rate: result.sampleRate,
      duration_ms: Math.round((result.samples / result.sampleRate) * 1000),
      timing: result.timing,
      words: result.words,
      audio: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength).toString("base64"),
    };
  });
}
