/**
 * What `npm run models:fetch` downloads: Whisper in the onnx-community layout (an export with
 * cross-attention outputs, so word timestamps work) and Kokoro-82M v1.0 ONNX with a set of
 * English voices. A `sha256` pinned here is enforced; files without one are checked against the
 * SHA-256 the hub announces for LFS files (`x-linked-etag`) and recorded in models.lock.json,
 * which later runs enforce.
 */
export interface ManifestFile {
  /** Path in the hub repository. */
  path: string;
  /** Path under the model's folder in MODELS_DIR (default: same as `path`). */
  dest?: string;
  sha256?: string;
}

export interface ManifestModel {
  /** Folder under MODELS_DIR (WHISPER_MODEL / KOKORO_MODEL). */
  name: string;
  repo: string;
  revision: string;
  files: ManifestFile[];
}

const WHISPER_SUFFIX: Record<string, string> = { fp32: "", fp16: "_fp16", q8: "_quantized", int8: "_int8", uint8: "_uint8", q4: "_q4", bnb4: "_bnb4", q4f16: "_q4f16" };

export const DEFAULT_VOICES = ["af_heart", "af_bella", "af_nova", "af_sarah", "af_alloy", "am_adam", "am_echo", "am_michael", "am_onyx", "bf_emma", "bm_george", "bm_fable"];

export interface ManifestOptions {
  whisperRepo: string;
  whisperName: string;
  whisperDtype: string;
  kokoroRepo: string;
  kokoroName: string;
  /** fp32 = onnx/model.onnx (310 MB), q8 = onnx/model_quantized.onnx (92 MB); stored as onnx/model.onnx. */
  kokoroDtype: "fp32" | "fp16" | "q8";
  voices: string[];
  /** Piper voices such as en_US-lessac-medium (optional second TTS engine); none by default. */
  piperVoices: string[];
  piperRepo: string;
  piperName: string;
  /** Commits pinned so a fetch is reproducible ("main" follows the branch). */
  whisperRevision: string;
  kokoroRevision: string;
}

export const DEFAULT_MANIFEST_OPTIONS: ManifestOptions = {
  whisperRepo: "onnx-community/whisper-base_timestamped",
  whisperName: "whisper-base",
  whisperDtype: "fp32",
  kokoroRepo: "onnx-community/Kokoro-82M-v1.0-ONNX",
  kokoroName: "kokoro-82m",
  kokoroDtype: "q8",
  voices: DEFAULT_VOICES,
  piperVoices: [],
  piperRepo: "rhasspy/piper-voices",
  piperName: "piper",
  whisperRevision: "c2f58ba5d2abe7e879d4e8246f774164c5bb8438",
  kokoroRevision: "1939ad2a8e416c0acfeecc08a694d14ef25f2231",
};

export function buildManifest(o: ManifestOptions = DEFAULT_MANIFEST_OPTIONS): ManifestModel[] {
  const suffix = WHISPER_SUFFIX[o.whisperDtype] ?? "";
  const kokoroFile = { fp32: "model.onnx", fp16: "model_fp16.onnx", q8: "model_quantized.onnx" }[o.kokoroDtype];
  return [
    {
      name: o.whisperName,
      repo: o.whisperRepo,
      revision: o.whisperRevision,
      files: [
        { path: "config.json" },
        { path: "generation_config.json" },
        { path: "preprocessor_config.json" },
        { path: "tokenizer.json" },
        { path: "tokenizer_config.json" },
        { path: `onnx/encoder_model${suffix}.onnx` },
        { path: `onnx/decoder_model_merged${suffix}.onnx` },
      ],
    },
    {
      name: o.kokoroName,
      repo: o.kokoroRepo,
      revision: o.kokoroRevision,
      files: [
        { path: "config.json" },
        { path: "tokenizer.json" },
        { path: "tokenizer_config.json" },
        { path: `onnx/${kokoroFile}`, dest: "onnx/model.onnx" },
        ...o.voices.map((v) => ({ path: `voices/${v}.bin` })),
      ],
    },
    ...(o.piperVoices.length
      ? [{ name: o.piperName, repo: o.piperRepo, revision: "main", files: o.piperVoices.flatMap(piperFiles) }]
      : []),
  ];
}

/** en_US-lessac-medium -> en/en_US/lessac/medium/en_US-lessac-medium.onnx (+ .onnx.json), stored flat. */
function piperFiles(voice: string): ManifestFile[] {
  const m = /^(([a-z]{2,3})_[A-Za-z]{2,3})-(.+)-([a-z_]+)$/.exec(voice);
  if (!m) throw new Error(`not a Piper voice name: ${voice} (expected e.g. en_US-lessac-medium)`);
  const [, locale, family, name, quality] = m;
  const base = `${family}/${locale}/${name}/${quality}/${voice}`;
  return [{ path: `${base}.onnx`, dest: `${voice}.onnx` }, { path: `${base}.onnx.json`, dest: `${voice}.onnx.json` }];
}
