/**
 * Builds the tiny ONNX models into test/.generated/models (git-ignored) when they are missing
 * or were built by another version of their generator. Rebuilding on every run deleted the
 * folder under a concurrent run's feet (two `vitest` runs of this package at once); now a run
 * whose models are current leaves them alone, and a rebuild is written beside the folder and
 * renamed into place, so readers see the old models or the new ones, never half of them.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTinyModels } from "./fixtures/tiny-models.ts";

export const MODELS_DIR = fileURLToPath(new URL("./.generated/models", import.meta.url));
const STAMP = "generator.sha256";

/** What the models are built from: the generator and the graph builder it uses. */
function generatorHash(): string {
  const hash = createHash("sha256");
  for (const source of ["./fixtures/tiny-models.ts", "../src/onnx/builder.ts"]) hash.update(readFileSync(new URL(source, import.meta.url)));
  return hash.digest("hex");
}

export default function setup(): void {
  const stamp = `${MODELS_DIR}/${STAMP}`;
  const wanted = generatorHash();
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return;
  mkdirSync(dirname(MODELS_DIR), { recursive: true });
  const fresh = mkdtempSync(`${MODELS_DIR}-building-`);
  writeTinyModels(fresh);
  writeFileSync(`${fresh}/${STAMP}`, wanted);
  const old = `${MODELS_DIR}-old-${process.pid}`;
  if (existsSync(MODELS_DIR)) renameSync(MODELS_DIR, old);
  renameSync(fresh, MODELS_DIR);
  rmSync(old, { recursive: true, force: true });
}
