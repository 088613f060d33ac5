/** Builds the tiny ONNX models once per test run into test/.generated/models (git-ignored). */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeTinyModels } from "./fixtures/tiny-models.ts";

export const MODELS_DIR = fileURLToPath(new URL("./.generated/models", import.meta.url));

export default function setup(): void {
  rmSync(MODELS_DIR, { recursive: true, force: true });
  writeTinyModels(MODELS_DIR);
}
