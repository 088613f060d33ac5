/**
 * Downloader behind `npm run models:fetch`: resumable (a `.part` file continued with an HTTP
 * Range request), verified (SHA-256 pinned in the manifest, else the hub's `x-linked-etag`, read
 * from the 302 to the CDN: redirects are followed by hand so that header is not lost;
 * recorded in MODELS_DIR/models.lock.json and enforced on later runs), retried, with a progress
 * bar on a TTY and periodic lines otherwise. Files already present with the locked checksum are
 * skipped. Uses only fetch and node:fs.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ManifestModel } from "./manifest.ts";

export interface FetchOptions {
  modelsDir: string;
  baseUrl: string;
  manifest: ManifestModel[];
  /** Bearer token for gated repos (HF_TOKEN). */
  token?: string;
  retries?: number;
  /** Progress output; defaults to stderr. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Abort all downloads. */
  signal?: AbortSignal;
}

export interface FetchReport {
  downloaded: string[];
  skipped: string[];
  resumed: string[];
}

export class ChecksumError extends Error {
  override name = "ChecksumError";
}

type Lock = Record<string, { sha256: string; size: number }>;

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** A SHA-256 the hub announces: `x-linked-etag` on LFS files (on the 3xx to the CDN), else a 64-hex `etag`. */
function announcedSha256(headers: Headers): string | undefined {
  for (const name of ["x-linked-etag", "etag"]) {
    const value = (headers.get(name) ?? "").replace(/^W\//, "").replace(/"/g, "");
    if (/^[0-9a-f]{64}$/.test(value)) return value;
  }
  return undefined;
}

function announcedSize(headers: Headers): number | undefined {
  const value = Number(headers.get("x-linked-size") ?? NaN);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

const MAX_REDIRECTS = 5;

/** What a connection failure's code means, for people. */
const NETWORK_CAUSES: Record<string, string> = {
  ENOTFOUND: "the host name does not resolve (no DNS, offline, or a typo in the URL)",
  EAI_AGAIN: "the host name could not be resolved right now (DNS unreachable: offline?)",
  ECONNREFUSED: "nothing accepts connections there",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  ENETUNREACH: "the network is unreachable (offline?)",
  EHOSTUNREACH: "the host is unreachable",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted (an intercepting proxy? set NODE_EXTRA_CA_CERTS)",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate is not trusted (an intercepting proxy? set NODE_EXTRA_CA_CERTS)",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
};

const NEXT_STEP = "Check that this machine can reach it (network, firewall, proxy), or set MODELS_BASE_URL (or --base-url) to a mirror of the Hugging Face hub; `npm run dev:tiny -w @interview/gpu-worker` runs the worker on generated tiny models without any download.";

/** A request that got no HTTP answer at all: which host, why (the cause's code), what to do. */
export class NetworkError extends Error {
  override name = "NetworkError";
  readonly host: string;
  readonly code: string | undefined;
  /** One line for retries: host and code. */
  readonly short: string;
  constructor(url: string, err: unknown) {
    const cause = (err as { cause?: { code?: string; message?: string } } | null)?.cause;
    const code = cause?.code ?? (err as { code?: string } | null)?.code;
    const detail = cause?.message ?? (err instanceof Error ? err.message : String(err));
    const host = new URL(url).host;
    const why = (code && NETWORK_CAUSES[code]) ?? detail;
    super(`cannot reach ${host} for GET ${url}: ${code ? `${code}, ` : ""}${why}. ${NEXT_STEP}`, { cause: err });
    this.host = host;
    this.code = code;
    this.short = `cannot reach ${host}: ${code ?? detail}`;
  }
}

/** The next step for an HTTP status that retrying will not change. */
function statusHint(status: number): string {
  if (status === 401 || status === 403) return " (the repository may be gated or private: set HF_TOKEN to a token that can read it)";
  if (status === 404) return " (no such repository, revision or file there: check --whisper-repo, the revision and MODELS_BASE_URL)";
  return "";
}

/**
 * GET with redirects followed by hand: the hub answers /resolve/ for LFS files with a 302 to its
 * CDN whose headers carry the file's SHA-256 (`x-linked-etag`) and size (`x-linked-size`);
 * `redirect: "follow"` would drop them. Location may be relative. The Range header goes to every
 * hop, so a resume applies to the final URL; the bearer token only to the origin it was meant for.
 */
async function getFollowing(url: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<{ res: Response; url: string; sha256: string | undefined; size: number | undefined }> {
  const origin = new URL(url).origin;
  let current = url;
  let sha256: string | undefined;
  let size: number | undefined;
  for (let hop = 0; ; hop++) {
    const sameOrigin = new URL(current).origin === origin;
    const hopHeaders = sameOrigin ? headers : Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "authorization"));
    let res: Response;
    try {
      res = await fetch(current, { headers: hopHeaders, redirect: "manual", ...(signal ? { signal } : {}) });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new NetworkError(current, err);
    }
    sha256 ??= announcedSha256(res.headers);
    size ??= announcedSize(res.headers);
    const location = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) return { res, url: current, sha256, size };
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new Error(`GET ${url}: more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current).href;
  }
}

class Progress {
  #last = 0;
  #lastPct = -1;
  readonly #started = Date.now();
  readonly out: NodeJS.WritableStream & { isTTY?: boolean };
  readonly label: string;
  readonly total: number | null;
  constructor(out: NodeJS.WritableStream & { isTTY?: boolean }, label: string, total: number | null) {
    this.out = out;
    this.label = label;
    this.total = total;
  }

  update(done: number, final = false): void {
    const now = Date.now();
    if (!final && now - this.#last < 200) return;
    this.#last = now;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    const rate = done / Math.max((now - this.#started) / 1000, 0.001);
    if (this.out.isTTY) {
      const width = 24;
      const frac = this.total ? Math.min(done / this.total, 1) : 0;
      const bar = this.total ? `[${"#".repeat(Math.round(frac * width)).padEnd(width, ".")}] ${(frac * 100).toFixed(0).padStart(3)}%` : "[downloading]";
      this.out.write(`\r${this.label} ${bar} ${mb(done)}/${this.total ? mb(this.total) : "?"} MB ${mb(rate)} MB/s${final ? "\n" : ""}`);
      return;
    }
    const pct = this.total ? Math.floor((done / this.total) * 10) * 10 : -1;
    if (final || (pct !== this.#lastPct && pct >= 0)) {
      this.#lastPct = pct;
      this.out.write(`${this.label} ${this.total ? `${pct}%` : ""} ${mb(done)} MB${final ? " done" : ""}\n`);
    }
  }
}

async function downloadOnce(url: string, dest: string, options: FetchOptions, label: string, expected: string | undefined): Promise<{ sha256: string; size: number; resumed: boolean }> {
  const part = `${dest}.part`;
  await mkdir(dirname(dest), { recursive: true });
  const have = existsSync(part) ? (await stat(part)).size : 0;
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (have > 0) headers.range = `bytes=${have}-`;
  const { res, url: finalUrl, sha256: announced, size: announcedBytes } = await getFollowing(url, headers, options.signal);
  if (res.status === 416 && have > 0) {
    // The part is already complete: fall through to verification.
  } else if (!res.ok || !res.body) {
    throw new Error(`GET ${finalUrl === url ? url : `${url} (redirected to ${finalUrl})`}: HTTP ${res.status}${statusHint(res.status)}`);
  }
  const resumed = res.status === 206;
  const want = expected ?? announced;
  if (res.status !== 416) {
    const length = Number(res.headers.get("content-length") ?? NaN);
    const total = Number.isFinite(length) ? length + (resumed ? have : 0) : null;
    const progress = new Progress(options.out ?? process.stderr, label, total);
    let done = resumed ? have : 0;
    const file = createWriteStream(part, { flags: resumed ? "a" : "w" });
    const body = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
    body.on("data", (chunk: Buffer) => { done += chunk.length; progress.update(done); });
    await pipeline(body, file);
    progress.update(done, true);
  }
  const sha256 = await sha256File(part);
  const size = (await stat(part)).size;
  if (announcedBytes !== undefined && size !== announcedBytes) {
    await rm(part, { force: true });
    throw new ChecksumError(`${label}: ${size} bytes, but the hub announced ${announcedBytes}; the partial file was deleted.`);
  }
  if (want && sha256 !== want) {
    await rm(part, { force: true });
    throw new ChecksumError(`${label}: SHA-256 ${sha256} does not match the expected ${want}; the partial file was deleted.`);
  }
  await rename(part, dest);
  return { sha256, size, resumed };
}

export async function fetchModels(options: FetchOptions): Promise<FetchReport> {
  const report: FetchReport = { downloaded: [], skipped: [], resumed: [] };
  const lockPath = join(options.modelsDir, "models.lock.json");
  const lock: Lock = existsSync(lockPath) ? (JSON.parse(await readFile(lockPath, "utf8")) as Lock) : {};
  const saveLock = () => writeFile(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  await mkdir(options.modelsDir, { recursive: true });
  const retries = options.retries ?? 3;
  for (const model of options.manifest) {
    for (const file of model.files) {
      const rel = `${model.name}/${file.dest ?? file.path}`;
      const dest = join(options.modelsDir, rel);
      const pinned = file.sha256 ?? lock[rel]?.sha256;
      if (existsSync(dest)) {
        const actual = await sha256File(dest);
        if (!pinned || actual === pinned) {
          lock[rel] = { sha256: actual, size: (await stat(dest)).size };
          report.skipped.push(rel);
          continue;
        }
        (options.out ?? process.stderr).write(`${rel}: checksum differs from the lock, downloading again\n`);
        await rm(dest);
      }
      const url = `${options.baseUrl.replace(/\/$/, "")}/${model.repo}/resolve/${model.revision}/${file.path}`;
      let lastError: unknown = null;
      for (let attempt = 1; attempt <= retries; attempt++) {
        try {
          const got = await downloadOnce(url, dest, options, rel, pinned);
          lock[rel] = { sha256: got.sha256, size: got.size };
          await saveLock();
          report.downloaded.push(rel);
          if (got.resumed || attempt > 1) report.resumed.push(rel);
          lastError = null;
          break;
        } catch (err) {
          lastError = err;
          if (err instanceof ChecksumError || options.signal?.aborted) break;
          (options.out ?? process.stderr).write(`\n${rel}: attempt ${attempt} failed (${err instanceof NetworkError ? err.short : err instanceof Error ? err.message : String(err)})${attempt < retries ? ", resuming" : ""}\n`);
          await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 4000)));
        }
      }
      if (lastError) throw lastError;
    }
  }
  await saveLock();
  return report;
}
