/**
 * What the browser tests run against: the Worker as `wrangler dev` serves it (the root
 * wrangler.toml, its static assets included), bundled once so that edits made while the tests
 * run cannot reload it, on a free loopback port with a throwaway local state; and Debian's
 * Chromium (never a browser playwright downloads) with a fresh profile.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { experimental_readRawConfig } from "wrangler";
import { REPO_ROOT, ROOT_CONFIG, applyMigrations, bundle, startDev, type DevServer } from "../../../worker/bench/fleet/wrangler-dev.ts";
import { startTinySpeechWorker } from "../../../gpu-worker/test/helpers/tiny-speech-worker.ts";
import { startFakeNvidia, type FakeNvidia } from "../../../worker/test/fakes/fake-nvidia.ts";

export const WEB_ROOT = path.resolve(import.meta.dirname, "../..");
export const ARTIFACTS = path.join(WEB_ROOT, "test-artifacts");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The admin token the dev server is started with, so the dashboard's refusals can be tested. */
export const ADMIN_TOKEN = "browser-test-admin-token";

/**
 * The root wrangler.toml as it is, written to `dir` with its paths made absolute: read from
 * there, no developer's .dev.vars (model keys, tokens) changes what the tests see.
 */
function writeTestConfig(dir: string): string {
  const { rawConfig } = experimental_readRawConfig({ config: ROOT_CONFIG });
  const config = structuredClone(rawConfig) as Record<string, unknown> & {
    main?: string;
    assets?: { directory?: string };
    d1_databases?: { migrations_dir?: string }[];
    env?: unknown;
  };
  if (config.main) config.main = path.resolve(REPO_ROOT, config.main);
  if (config.assets?.directory) config.assets.directory = path.resolve(REPO_ROOT, config.assets.directory);
  for (const db of config.d1_databases ?? []) db.migrations_dir = path.resolve(REPO_ROOT, db.migrations_dir ?? "migrations");
  delete config.env;
  const file = path.join(dir, "wrangler.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

const SPEECH_KEY = "browser-test-speech-key";

/** Debian's Chromium with a fresh profile; `args` adds flags (a fake microphone). Closed by stopEverything. */
export async function launchChromium(profileDir: string, args: string[] = []): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1100, height: 900 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...args,
    ],
  });
  running.push(() => context.close());
  return context;
}

export interface Stack {
  server: DevServer;
  browser: BrowserContext;
  /** A folder of this run, removed at the end. */
  dir: string;
  /** Stops the speech worker: from then on the Worker finds it unreachable. */
  stopSpeech(): Promise<void>;
  /** The fake NVIDIA chat-completions server the Worker calls, when asked for (`model: true`). */
  model: FakeNvidia | null;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Give the Worker a model: the fake NVIDIA server (the real protocol over HTTP), scriptable by the test. */
  model?: boolean;
}

/**
 * What has been started, newest last, so that it is stopped even when starting the rest
 * failed or timed out (a hook timeout leaves `startStack` running with no one to stop it).
 */
const running: (() => Promise<unknown>)[] = [];

/** Stops everything this file started (the test's afterAll). */
export async function stopEverything(): Promise<void> {
  while (running.length > 0) await running.pop()!().catch(() => undefined);
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  if (!existsSync(path.join(WEB_ROOT, "public/build/console.js"))) {
    throw new Error("web/public/build is missing: run `npm run build:web` first (npm run test:browser does)");
  }
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), "web-browser-"));
  running.push(async () => rmSync(dir, { recursive: true, force: true }));
  const persistDir = path.join(dir, "state");
  const speech = await startTinySpeechWorker({ apiKey: SPEECH_KEY });
  let speechUp = true;
  running.push(async () => {
    if (speechUp) await speech.stop();
    speechUp = false;
  });
  const model = options.model ? await startFakeNvidia() : null;
  if (model) running.push(() => model.close());
  const modelVars = model ? [`NVIDIA_API_KEY:browser-test-key`, `NVIDIA_LLM_URL:${model.chatUrl}`, `NVIDIA_LLM_MODEL:test/fake-model`] : [];
  const config = writeTestConfig(dir);
  const script = (await bundle(config, path.join(dir, "bundle"))).mainModule;
  await applyMigrations(config, persistDir);
  const server = await startDev({
    config,
    script,
    persistDir,
    // One log per run (each test file starts its own server).
    logFile: path.join(ARTIFACTS, `wrangler-dev-${path.basename(dir)}.log`),
    vars: [`ADMIN_TOKEN:${ADMIN_TOKEN}`, `SPEECH_WORKER_URL:${speech.url}`, `SPEECH_API_KEY:${SPEECH_KEY}`, ...modelVars],
  });
  running.push(() => server.stop());
  // No microphone here: a permission prompt is refused at once (as a person saying no would).
  const browser = await launchChromium(path.join(dir, "profile"), ["--deny-permission-prompts"]);
  return {
    server,
    browser,
    dir,
    model,
    async stopSpeech() {
      if (speechUp) await speech.stop();
      speechUp = false;
    },
    stop: stopEverything,
  };
}
