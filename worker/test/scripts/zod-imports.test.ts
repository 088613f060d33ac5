/**
 * zod is imported as a namespace (`import * as z from "zod"`) in the code the Worker bundles.
 * With the named import (`import { z } from "zod"`) esbuild keeps every one of zod's error-message
 * locales: 373 KB of the Worker's 1.42 MB bundle, parsed at every cold start (README,
 * Performance). Type-only imports are erased and may take any form.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../../..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("zod imports in the Worker's code", () => {
  it("are namespace or type-only imports", () => {
    const files = [...sources(path.join(ROOT, "worker/src")), ...sources(path.join(ROOT, "shared/src"))];
    expect(files.length).toBeGreaterThan(50);
    const named = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => /^import\s+\{[^}]*\}\s+from\s+"zod(?:\/[^"]*)?";/u.test(line))
        .map((line) => `${path.relative(ROOT, file)}: ${line}`),
    );
    expect(named).toEqual([]);
  });
});
