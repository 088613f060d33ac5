/**
 * GET /v1/models and GET /v1/models/:id in the OpenAI list shape. Model names accepted by the
 * audio routes: the OpenAI aliases (so stock clients work unchanged) and the local folder names.
 */
import type { FastifyInstance } from "fastify";
import type { Config } from "../config.ts";
import { ApiError } from "../errors.ts";

export const ASR_ALIASES = ["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"];
export const TTS_ALIASES = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "kokoro"];
const CREATED = 1_700_000_000;

export function modelIds(config: Config): { asr: string[]; tts: string[] } {
  return {
    asr: config.WHISPER_MODEL ? [...ASR_ALIASES, config.WHISPER_MODEL] : [],
    tts: config.KOKORO_MODEL || config.PIPER_DIR ? [...TTS_ALIASES, "piper", ...(config.KOKORO_MODEL ? [config.KOKORO_MODEL] : [])] : [],
  };
}

export default async function modelRoutes(app: FastifyInstance, opts: { config: Config }) {
  const ids = modelIds(opts.config);
  const list = [...ids.asr, ...ids.tts].map((id) => ({ id, object: "model", created: CREATED, owned_by: "speech-worker" }));
  app.get("/v1/models", async function listModels() {
    return { object: "list", data: list };
  });
  app.get<{ Params: { id: string } }>("/v1/models/:id", async function getModel(request) {
    const found = list.find((m) => m.id === request.params.id);
    if (!found) throw new ApiError("model_not_found", `The model '${request.params.id}' does not exist.`, { param: "model" });
    return found;
  });
}
