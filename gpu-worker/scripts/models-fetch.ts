/**
 * `npm run models:fetch -- [--models-dir DIR] [--base-url URL] [--only whisper|kokoro|piper]
 *   [--whisper-repo R] [--whisper-name N] [--whisper-dtype fp32|q8|...] [--kokoro-dtype fp32|fp16|q8]
 *   [--voices af_heart,am_echo] [--piper en_US-lessac-medium,...] [--whisper-revision SHA|main] [--kokoro-revision SHA|main]`
 * Downloads the real weights into MODELS_DIR (see src/models/manifest.ts and fetch.ts).
 * MODELS_BASE_URL overrides the hub (a mirror); HF_TOKEN is sent as a bearer token if set.
 */
import { parseArgs } from "node:util";
import { buildManifest, DEFAULT_MANIFEST_OPTIONS } from "../src/models/manifest.ts";
import { fetchModels } from "../src/models/fetch.ts";

const { values } = parseArgs({
  options: {
    "models-dir": { type: "string", default: process.env.MODELS_DIR ?? "./models" },
    "base-url": { type: "string", default: process.env.MODELS_BASE_URL ?? "https://huggingface.co" },
    only: { type: "string" },
    "whisper-repo": { type: "string", default: DEFAULT_MANIFEST_OPTIONS.whisperRepo },
    "whisper-name": { type: "string", default: process.env.WHISPER_MODEL ?? DEFAULT_MANIFEST_OPTIONS.whisperName },
    "whisper-dtype": { type: "string", default: process.env.WHISPER_DTYPE ?? DEFAULT_MANIFEST_OPTIONS.whisperDtype },
    "kokoro-name": { type: "string", default: process.env.KOKORO_MODEL ?? DEFAULT_MANIFEST_OPTIONS.kokoroName },
    "kokoro-dtype": { type: "string", default: DEFAULT_MANIFEST_OPTIONS.kokoroDtype },
    voices: { type: "string", default: DEFAULT_MANIFEST_OPTIONS.voices.join(",") },
    piper: { type: "string", default: "" },
    "whisper-revision": { type: "string", default: DEFAULT_MANIFEST_OPTIONS.whisperRevision },
    "kokoro-revision": { type: "string", default: DEFAULT_MANIFEST_OPTIONS.kokoroRevision },
  },
});

const manifest = buildManifest({
  ...DEFAULT_MANIFEST_OPTIONS,
  whisperRepo: values["whisper-repo"]!,
  whisperName: values["whisper-name"]!,
  whisperDtype: values["whisper-dtype"]!,
  kokoroName: values["kokoro-name"]!,
  kokoroDtype: values["kokoro-dtype"] as "fp32" | "fp16" | "q8",
  voices: values.voices!.split(",").map((v) => v.trim()).filter(Boolean),
  piperVoices: values.piper!.split(",").map((v) => v.trim()).filter(Boolean),
  whisperRevision: values["whisper-revision"]!,
  kokoroRevision: values["kokoro-revision"]!,
}).filter((m) => !values.only || m.name === ({ whisper: values["whisper-name"], kokoro: values["kokoro-name"], piper: "piper" } as Record<string, string | undefined>)[values.only]);

try {
  const report = await fetchModels({
    modelsDir: values["models-dir"]!,
    baseUrl: values["base-url"]!,
    manifest,
    ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
  });
  console.error(`models:fetch: ${report.downloaded.length} downloaded (${report.resumed.length} resumed), ${report.skipped.length} already present in ${values["models-dir"]}`);
} catch (err) {
  console.error(`models:fetch failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
