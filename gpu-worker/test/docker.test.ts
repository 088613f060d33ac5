/**
 * Static checks of docker/ (no Docker daemon exists where these tests run, so nothing is
 * built): instruction parsing of both Dockerfiles, every COPY source exists in the build
 * context, non-root user, models volume, health check on /health, ffmpeg from apt, the
 * onnxruntime-node install policy per image, the CUDA 12 + cuDNN 9 base, and compose wiring.
 */
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");

interface Instruction { op: string; args: string; }

function parseDockerfile(text: string): Instruction[] {
  const logical = text
    .split("\n")
    .filter((l) => !/^\s*#/.test(l))
    .join("\n")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return logical.map((l) => {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(l);
    if (!m) throw new Error(`unparseable Dockerfile line: ${l}`);
    return { op: m[1]!.toUpperCase(), args: m[2]! };
  });
}

function finalStage(ins: Instruction[]): Instruction[] {
  const lastFrom = ins.map((i) => i.op).lastIndexOf("FROM");
  return ins.slice(lastFrom);
}

const KNOWN = new Set(["FROM", "ARG", "ENV", "WORKDIR", "COPY", "RUN", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK", "ENTRYPOINT", "CMD", "LABEL"]);

describe.each(["docker/Dockerfile.cpu", "docker/Dockerfile.cuda"])("%s", (file) => {
  const ins = parseDockerfile(read(file));
  const last = finalStage(ins);
  const text = read(file);

  it("uses only known instructions and multi-stage FROMs with names", () => {
    for (const i of ins) expect(KNOWN.has(i.op), i.op).toBe(true);
    expect(ins.filter((i) => i.op === "FROM").length).toBeGreaterThanOrEqual(2);
  });

  it("COPY sources from the context exist and survive the dockerignore", () => {
    const ignore = read(`${file}.dockerignore`).split("\n").filter(Boolean);
    for (const i of ins.filter((x) => x.op === "COPY" && !x.args.startsWith("--from"))) {
      const parts = i.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        expect(existsSync(join(ROOT, src)), src).toBe(true);
        expect(ignore.some((pattern) => src === pattern || src.startsWith(`${pattern}/`)), `${src} ignored`).toBe(false);
      }
    }
  });

  it("runs as a non-root user with a models volume, port 8788, and a /health check", () => {
    const user = last.filter((i) => i.op === "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user!.args.trim());
    expect(last.some((i) => i.op === "VOLUME" && i.args.includes("/models"))).toBe(true);
    expect(last.some((i) => i.op === "EXPOSE" && i.args.includes("8788"))).toBe(true);
    const hc = last.find((i) => i.op === "HEALTHCHECK");
    expect(hc?.args).toMatch(/\/health/);
    expect(hc?.args).toMatch(/--start-period=\d+s/);
    expect(text).toMatch(/MODELS_DIR=\/models/);
    expect(text).toMatch(/HOST=0\.0\.0\.0/);
  });

  it("installs ffmpeg from apt and points FFMPEG_PATH at it; starts server.ts under tini", () => {
    expect(last.some((i) => i.op === "RUN" && /apt-get install[^&]*\bffmpeg\b/.test(i.args))).toBe(true);
    expect(text).toMatch(/FFMPEG_PATH=\/usr\/bin\/ffmpeg/);
    expect(last.find((i) => i.op === "CMD")?.args).toContain("src/server.ts");
    expect(last.find((i) => i.op === "ENTRYPOINT")?.args).toContain("tini");
    expect(existsSync(join(ROOT, "gpu-worker/src/server.ts"))).toBe(true);
  });

  it("installs production dependencies from the lock with onnxruntime-node's downloads skipped", () => {
    expect(ins.some((i) => i.op === "RUN" && /npm ci --omit=dev --workspace @interview\/gpu-worker/.test(i.args))).toBe(true);
    expect(text).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    expect(text).toMatch(/ONNXRUNTIME_NODE_INSTALL_CUDA=skip/);
  });
});

describe("CUDA specifics", () => {
  const text = read("docker/Dockerfile.cuda");
  it("runs on a CUDA 12 + cuDNN 9 runtime base", () => {
    const base = /ARG CUDA_IMAGE=(\S+)/.exec(text)?.[1] ?? "";
    expect(base).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu/);
    // CUDA 12.x images from 12.4 on ship cuDNN 9 under the plain "cudnn" tag.
    expect(Number(/^nvidia\/cuda:12\.(\d+)/.exec(base)?.[1])).toBeGreaterThanOrEqual(4);
  });
  it("fetches the CUDA 12 execution provider with onnxruntime-node's installer, and defaults DEVICE=cuda", () => {
    expect(text).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
    expect(text).toMatch(/DEVICE=cuda/);
  });
  it("the CPU image never enables the CUDA download", () => {
    expect(read("docker/Dockerfile.cpu")).not.toMatch(/cuda12/);
  });
});

describe("compose.yaml", () => {
  const text = read("docker/compose.yaml");
  it("builds from the repository root with both Dockerfiles", () => {
    for (const m of text.matchAll(/dockerfile:\s*(\S+)/g)) expect(existsSync(join(ROOT, m[1]!)), m[1]).toBe(true);
    expect(text).toMatch(/context:\s*\.\./);
  });
  it("shares a models volume, requires the API key, reserves a GPU for the cuda profile", () => {
    expect(text.match(/- models:\/models/g)?.length).toBe(3);
    expect(text).toMatch(/SPEECH_API_KEY: \$\{SPEECH_API_KEY:\?/);
    expect(text).toMatch(/driver: nvidia[\s\S]*capabilities: \[gpu\]/);
    expect(text).toMatch(/profiles: \["cuda"\]/);
    expect(text).toMatch(/stop_grace_period/);
  });
});
