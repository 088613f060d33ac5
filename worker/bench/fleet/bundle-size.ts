/**
 * The production Worker's bundle size: `wrangler deploy --dry-run --outdir` with the root
 * wrangler.toml, then the main module's bytes and gzip bytes (what Cloudflare's size limits
 * count). Standalone: `node worker/bench/fleet/bundle-size.ts`.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT_CONFIG, bundle } from "./wrangler-dev.ts";

export type BundleSize = { mainModule: string; bytes: number; gzipBytes: number; modules: string[] };

export async function measureBundle(config = ROOT_CONFIG): Promise<BundleSize> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "fleet-bundle-"));
  try {
    const { mainModule, files } = await bundle(config, outdir);
    const code = readFileSync(mainModule);
    return {
      mainModule: path.basename(mainModule),
      bytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      modules: files.filter((f) => !f.endsWith(".map") && f !== "README.md"),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const size = await measureBundle();
  console.log(`${size.mainModule}: ${size.bytes} bytes, ${size.gzipBytes} bytes gzip (modules: ${size.modules.join(", ")})`);
}
