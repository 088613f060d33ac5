/**
 * Builds the browser code of the console and the dashboard (web/src) into web/public/build,
 * which the Worker serves as static assets (wrangler.toml [assets]). esbuild comes with
 * wrangler, so the build needs nothing else. `--watch` rebuilds on every change. The folder is
 * emptied first, so only the current build's files are served and deployed.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { context, build, type BuildOptions } from "esbuild";

const here = import.meta.dirname;

export const BUILD_OPTIONS: BuildOptions = {
  entryPoints: {
    console: path.join(here, "src/console/main.ts"),
    dashboard: path.join(here, "src/dashboard/main.ts"),
  },
  outdir: path.join(here, "public/build"),
  bundle: true,
  format: "esm",
  splitting: true,
  minify: true,
  sourcemap: true,
  target: ["es2022"],
  platform: "browser",
  logLevel: "info",
  metafile: false,
};

// Chunk names change with their content: without this, every old chunk would stay and be deployed.
rmSync(BUILD_OPTIONS.outdir!, { recursive: true, force: true });

if (process.argv.includes("--watch")) {
  const ctx = await context(BUILD_OPTIONS);
  await ctx.watch();
} else {
  await build(BUILD_OPTIONS);
}
