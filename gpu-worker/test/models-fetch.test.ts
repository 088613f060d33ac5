/**
 * models:fetch against a local HTTP server on loopback that mimics the hub's resolve URLs:
 * Range requests, `x-linked-etag` SHA-256 on LFS files, a connection cut mid-file (resume),
 * a corrupted file (checksum refusal), the lock file, skipping present files, and the CLI;
 * an unreachable host names the host, the cause's code and the next step.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChecksumError, fetchModels, NetworkError } from "../src/models/fetch.ts";
import { buildManifest, DEFAULT_MANIFEST_OPTIONS, type ManifestModel } from "../src/models/manifest.ts";

const files = new Map<string, Buffer>();
const requests: Array<{ url: string; range: string | undefined; hop: "resolve" | "cdn" }> = [];
let cutOnce = new Set<string>();
let corrupt = new Set<string>();
let server: Server;
let baseUrl: string;
const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream;

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  // Like huggingface.co: /resolve/ of an LFS file (.onnx, .bin) answers 302 to the CDN with the
  // file's SHA-256 in `x-linked-etag` and its size in `x-linked-size`; the CDN serves the bytes
  // with Range but no SHA-256. Voices redirect with an absolute Location, the rest relative.
  // Small files are served by /resolve/ directly with a git (SHA-1) etag.
  server = createServer((req, res) => {
    const url = req.url ?? "";
    const onCdn = url.startsWith("/cdn/");
    const key = onCdn ? url.slice("/cdn".length).replace(/\?.*$/, "") : url;
    requests.push({ url: key, range: req.headers.range, hop: onCdn ? "cdn" : "resolve" });
    const body = files.get(key);
    if (!body) { res.writeHead(404).end("not found"); return; }
    const lfs = /\.(onnx|bin)$/.test(key);
    if (lfs && !onCdn) {
      const location = key.includes("/voices/") ? `${baseUrl}/cdn${key}?sig=abc` : `/cdn${key}?sig=abc`;
      res.writeHead(302, { location, "x-linked-etag": `"${sha(body)}"`, "x-linked-size": String(body.length), etag: `"${sha(body)}"` }).end();
      return;
    }
    const headers: Record<string, string> = { "accept-ranges": "bytes", etag: lfs ? '"cdn-etag-1"' : `"${createHash("sha1").update(body).digest("hex")}"` };
    const served = corrupt.has(key) ? Buffer.from(body).fill(0, 0, 10) : body;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const start = m ? Number(m[1]) : 0;
    if (start >= served.length && m) { res.writeHead(416).end(); return; }
    const slice = served.subarray(start);
    res.writeHead(m ? 206 : 200, { ...headers, "content-length": String(slice.length), ...(m ? { "content-range": `bytes ${start}-${served.length - 1}/${served.length}` } : {}) });
    if (cutOnce.has(key)) {
      cutOnce.delete(key);
      // Give the client time to receive and write the first third before the cut.
      res.write(slice.subarray(0, Math.floor(slice.length / 3)), () => setTimeout(() => res.socket?.destroy(), 300));
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  baseUrl = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function manifest(): ManifestModel[] {
  return buildManifest({ ...DEFAULT_MANIFEST_OPTIONS, whisperRepo: "org/whisper", kokoroRepo: "org/kokoro", voices: ["af_heart", "am_echo"], whisperRevision: "main", kokoroRevision: "main" });
}

beforeEach(() => {
  files.clear();
  requests.length = 0;
  cutOnce = new Set();
  corrupt = new Set();
  for (const model of manifest()) {
    for (const f of model.files) {
      const size = f.path.endsWith(".onnx") ? 300_000 : f.path.endsWith(".bin") ? 50_000 : 200;
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i++) data[i] = (i * 7 + f.path.length) & 0xff;
      files.set(`/${model.repo}/resolve/main/${f.path}`, data);
    }
  }
});

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "models-fetch-"));
}

describe("models:fetch", () => {
  it("downloads every file into the layout and writes a lock with SHA-256s", async () => {
    const dir = tmp();
    const report = await fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink });
    expect(report.downloaded).toHaveLength(7 + 6);
    const encoder = readFileSync(join(dir, "whisper-base/onnx/encoder_model.onnx"));
    expect(encoder.equals(files.get("/org/whisper/resolve/main/onnx/encoder_model.onnx")!)).toBe(true);
    expect(existsSync(join(dir, "kokoro-82m/onnx/model.onnx"))).toBe(true); // model_quantized.onnx stored as model.onnx
    expect(existsSync(join(dir, "kokoro-82m/voices/am_echo.bin"))).toBe(true);
    const lock = JSON.parse(readFileSync(join(dir, "models.lock.json"), "utf8"));
    expect(lock["whisper-base/onnx/encoder_model.onnx"].sha256).toBe(sha(encoder));
    // Second run: nothing downloaded.
    requests.length = 0;
    const again = await fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink });
    expect(again.skipped).toHaveLength(13);
    expect(requests).toHaveLength(0);
  });

  it("resumes a file whose connection was cut, with a Range request", async () => {
    const dir = tmp();
    const path = "/org/whisper/resolve/main/onnx/decoder_model_merged.onnx";
    cutOnce.add(path);
    const report = await fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink });
    expect(report.resumed).toContain("whisper-base/onnx/decoder_model_merged.onnx");
    const ranged = requests.filter((r) => r.url === path && r.range && r.hop === "cdn");
    expect(ranged).toHaveLength(1);
    expect(ranged[0]!.range).toMatch(/^bytes=\d+-$/);
    expect(readFileSync(join(dir, "whisper-base/onnx/decoder_model_merged.onnx")).equals(files.get(path)!)).toBe(true);
  });

  it("follows the hub's 302 to the CDN and checks the SHA-256 announced on the redirect", async () => {
    const dir = tmp();
    const path = "/org/whisper/resolve/main/onnx/encoder_model.onnx"; // relative Location
    corrupt.add(path);
    await expect(fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink })).rejects.toThrow(/encoder_model\.onnx: SHA-256 .* does not match/);
    expect(existsSync(join(dir, "whisper-base/onnx/encoder_model.onnx"))).toBe(false);
    expect(requests.filter((r) => r.url === path).map((r) => r.hop)).toEqual(["resolve", "cdn"]);
  });

  it("refuses a file whose SHA-256 does not match and leaves no file behind", async () => {
    const dir = tmp();
    const path = "/org/kokoro/resolve/main/voices/af_heart.bin";
    corrupt.add(path);
    await expect(fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink })).rejects.toBeInstanceOf(ChecksumError);
    expect(existsSync(join(dir, "kokoro-82m/voices/af_heart.bin"))).toBe(false);
    expect(existsSync(join(dir, "kokoro-82m/voices/af_heart.bin.part"))).toBe(false);
  });

  it("enforces a pinned checksum and re-downloads a file that differs from the lock", async () => {
    const dir = tmp();
    const pinned = manifest();
    pinned[0]!.files[0]!.sha256 = "0".repeat(64);
    await expect(fetchModels({ modelsDir: dir, baseUrl, manifest: pinned, out: sink })).rejects.toThrow(/does not match/);
    await fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink });
    writeFileSync(join(dir, "whisper-base/config.json"), "tampered");
    const report = await fetchModels({ modelsDir: dir, baseUrl, manifest: manifest(), out: sink });
    expect(report.downloaded).toEqual(["whisper-base/config.json"]);
  });

  it("runs as the npm script's CLI, with progress, and exits 1 on a 404", async () => {
    const dir = tmp();
    const cli = fileURLToPath(new URL("../scripts/models-fetch.ts", import.meta.url));
    const run = (args: string[]) => new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, "--models-dir", dir, "--base-url", baseUrl, ...args], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (c: Buffer) => { err += c.toString(); });
      child.on("exit", (code) => resolve({ code, err }));
    });
    const ok = await run(["--whisper-repo", "org/whisper", "--whisper-revision", "main", "--only", "whisper"]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toMatch(/7 downloaded/);
    expect(ok.err).toMatch(/encoder_model\.onnx .*100%/);
    const missing = await run(["--whisper-repo", "org/missing", "--whisper-revision", "main", "--whisper-name", "other", "--only", "whisper"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/HTTP 404/);
  });

  it("an unreachable host: names the host and URL, the cause's code, and what to do", async () => {
    // A port that was just free: nothing listens there, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const dead = `http://127.0.0.1:${port}`;
    const err = await fetchModels({ modelsDir: tmp(), baseUrl: dead, manifest: manifest(), out: sink, retries: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    const msg = (err as Error).message;
    expect(msg).toContain(`cannot reach 127.0.0.1:${port} for GET ${dead}/org/whisper/resolve/main/`);
    expect(msg).toContain("ECONNREFUSED, nothing accepts connections there");
    expect(msg).toMatch(/set MODELS_BASE_URL \(or --base-url\) to a mirror/);
    expect(msg).not.toMatch(/^fetch failed/);

    const cli = fileURLToPath(new URL("../scripts/models-fetch.ts", import.meta.url));
    const out = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, "--models-dir", tmp(), "--base-url", dead, "--only", "kokoro"], { stdio: ["ignore", "ignore", "pipe"] });
      let text = "";
      child.stderr.on("data", (c: Buffer) => { text += c.toString(); });
      child.on("exit", (code) => resolve({ code, err: text }));
    });
    expect(out.code).toBe(1);
    expect(out.err).toMatch(/attempt 1 failed \(cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED\)/);
    expect(out.err).toMatch(/models:fetch failed: cannot reach 127\.0\.0\.1:\d+ for GET .*ECONNREFUSED.*MODELS_BASE_URL/);
  });

  it("a host name that does not resolve says ENOTFOUND and what it means", () => {
    const cause = Object.assign(new Error("getaddrinfo ENOTFOUND huggingface.co"), { code: "ENOTFOUND" });
    const err = new NetworkError("https://huggingface.co/org/repo/resolve/main/config.json", new TypeError("fetch failed", { cause }));
    expect(err.message).toMatch(/^cannot reach huggingface\.co for GET https:\/\/huggingface\.co\/org\/repo\/resolve\/main\/config\.json: ENOTFOUND, the host name does not resolve/);
    expect(err.message).toContain("MODELS_BASE_URL");
    expect(err.code).toBe("ENOTFOUND");
  });

  it("an HTTP 404 says what to check", async () => {
    const err = await fetchModels({ modelsDir: tmp(), baseUrl: `${baseUrl}/nowhere`, manifest: manifest(), out: sink, retries: 1 }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/HTTP 404 \(no such repository/);
  });

  it("the default manifest is the onnx-community layout, at pinned commits", () => {
    const [whisper, kokoro] = buildManifest();
    expect(whisper!.files.map((f) => f.path)).toEqual(expect.arrayContaining(["onnx/encoder_model.onnx", "onnx/decoder_model_merged.onnx", "generation_config.json", "preprocessor_config.json", "tokenizer.json"]));
    expect(kokoro!.files.find((f) => f.dest === "onnx/model.onnx")?.path).toBe("onnx/model_quantized.onnx");
    expect(kokoro!.files.filter((f) => f.path.startsWith("voices/"))).toHaveLength(12);
    for (const m of [whisper!, kokoro!]) expect(m.revision).toMatch(/^[0-9a-f]{40}$/);
    const q8 = buildManifest({ ...DEFAULT_MANIFEST_OPTIONS, whisperDtype: "q8" });
    expect(q8[0]!.files.map((f) => f.path)).toContain("onnx/decoder_model_merged_quantized.onnx");
    const piper = buildManifest({ ...DEFAULT_MANIFEST_OPTIONS, piperVoices: ["en_US-lessac-medium"] })[2]!;
    expect(piper.files).toEqual([
      { path: "en/en_US/lessac/medium/en_US-lessac-medium.onnx", dest: "en_US-lessac-medium.onnx" },
      { path: "en/en_US/lessac/medium/en_US-lessac-medium.onnx.json", dest: "en_US-lessac-medium.onnx.json" },
    ]);
    expect(() => buildManifest({ ...DEFAULT_MANIFEST_OPTIONS, piperVoices: ["lessac"] })).toThrow(/Piper voice name/);
  });
});
