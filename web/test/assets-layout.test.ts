/**
 * The static assets are served before the Worker (wrangler.toml [assets]): a file whose URL
 * is a path of the API would answer in its place. This checks that no file in web/public
 * (the built bundles included) is served at a path whose first segment the API uses, with the
 * API's paths read from the Worker's route files.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const WEB = path.resolve(import.meta.dirname, "..");
const ROUTES = path.resolve(WEB, "../worker/src/routes");

/** The URL paths wrangler serves a file at (html_handling "auto-trailing-slash"). */
function servedPaths(relative: string): string[] {
  const url = `/${relative.split(path.sep).join("/")}`;
  if (url.endsWith("/index.html")) return [url, url.slice(0, -"index.html".length)];
  if (url.endsWith(".html")) return [url, url.slice(0, -".html".length)];
  return [url];
}

function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

const firstSegment = (url: string) => url.split("/")[1] ?? "";

function apiPaths(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(ROUTES).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(path.join(ROUTES, file), "utf8");
    for (const match of source.matchAll(/\.(?:get|post|put|delete|patch|all)\(\s*"(\/[^"]*)"/g)) found.add(match[1]!);
  }
  return [...found];
}

describe("static assets and API paths", () => {
  it("finds the API's paths in the route files", () => {
    const paths = apiPaths();
    for (const known of ["/health", "/ws/interview", "/sessions", "/metrics/summary", "/export/session/:id", "/checkins"]) {
      expect(paths).toContain(known);
    }
  });

  it("serves no file at a path the API uses", () => {
    const apiSegments = new Set(apiPaths().map(firstSegment));
    const assets = files(path.join(WEB, "public")).flatMap(servedPaths);
    expect(assets).toContain("/dashboard");
    const clashes = assets.filter((url) => apiSegments.has(firstSegment(url)));
    expect(clashes).toEqual([]);
  });
});

describe("what the pages load", () => {
  it("no page bundle carries zod: the pages import only types from the shared schemas", () => {
    const build = path.join(WEB, "public/build");
    const scripts = files(build).filter((f) => f.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      // zod's error class is in every build that includes it, minified or not.
      expect(readFileSync(path.join(build, script), "utf8"), script).not.toMatch(/ZodError|\$ZodType/);
    }
  });
});
