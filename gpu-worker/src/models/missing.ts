/**
 * The one message for model files that are not where the config points: which folder was
 * looked in, which variables chose it, and the next step (fetch the weights, or point
 * MODELS_DIR at them). One line, since load errors are reported by their first line.
 */
import { existsSync } from "node:fs";
import { basename, dirname } from "node:path";

export const FETCH_COMMAND = "npm run models:fetch -w @interview/gpu-worker";

export function missingModelMessage(what: string, variable: string, folder: string, detail?: string): string {
  const modelsDir = dirname(folder);
  const problem = detail ? `${detail} in ${folder}` : `${what} model folder not found: ${folder}`;
  return `${problem} (MODELS_DIR=${modelsDir}, ${variable}=${basename(folder)}). Run \`${FETCH_COMMAND}\` to download the weights into MODELS_DIR, or set MODELS_DIR (and ${variable}) to the folder that holds them; \`npm run dev:tiny -w @interview/gpu-worker\` runs on generated tiny models instead.`;
}

/** Throws the message above when `folder` does not exist. */
export function assertModelFolder(what: string, variable: string, folder: string): void {
  if (!existsSync(folder)) throw new Error(missingModelMessage(what, variable, folder));
}
