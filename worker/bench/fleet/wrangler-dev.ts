/**
 * The fleet benchmark's server side: checks that the bench config still has every binding of
 * the root wrangler.toml, writes the config a run uses (the root's, read at run time, plus the
 * echo object), snapshots the bench Worker into one bundle (so edits made while the
 * bench runs cannot reload it mid-run), applies the D1 migrations to a throwaway state dir,
 * and runs `wrangler dev` on loopback as a child process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync, readdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { experimental_readRawConfig, unstable_convertConfigBindingsToStartWorkerBindings, unstable_readConfig } from "wrangler";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
export const ROOT_CONFIG = path.join(REPO_ROOT, "wrangler.toml");
export const BENCH_CONFIG = path.join(import.meta.dirname, "wrangler.bench.toml");
const WRANGLER_BIN = path.join(REPO_ROOT, "node_modules/wrangler/bin/wrangler.js");

const BENCH_ENTRY = path.join(import.meta.dirname, "bench-entry.ts");

/**
 * The config a bench run uses, written to `dir`: the root wrangler.toml as it is now (every
 * binding, var, flag and migration), with the bench entry as `main`, the ECHO object added and
 * the static assets left out, paths made absolute. So the bench never lags the root config,
 * whatever wrangler.bench.toml says. Written as JSON (wrangler reads wrangler.json); no .dev.vars sits next to it.
 */
export function writeRunConfig(dir: string): string {
  const { rawConfig } = experimental_readRawConfig({ config: ROOT_CONFIG });
  const config = structuredClone(rawConfig) as Record<string, unknown> & {
    durable_objects?: { bindings?: { name: string; class_name: string }[] };
    migrations?: { tag: string; new_sqlite_classes?: string[] }[];
    d1_databases?: { migrations_dir?: string }[];
    assets?: { directory?: string };
    env?: unknown;
  };
  config.name = "interview-trainer-bench";
  config.main = BENCH_ENTRY;
  config.durable_objects = { bindings: [...(config.durable_objects?.bindings ?? []), { name: "ECHO", class_name: "EchoSession" }] };
  config.migrations = [...(config.migrations ?? []), { tag: "bench-echo", new_sqlite_classes: ["EchoSession"] }];
  for (const db of config.d1_databases ?? []) db.migrations_dir = path.resolve(REPO_ROOT, db.migrations_dir ?? "migrations");
  // The console's static files are not part of the bench: without the binding the bench does
  // not depend on web/public being built, and no request of the load goes through assets.
  delete config.assets;
  // Named environments are for deploys; the bench runs the top level only.
  delete config.env;
  const file = path.join(dir, "wrangler.json");
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Bindings (name, type, class) and Durable Object classes of the root config that wrangler.bench.toml lacks. */
export function missingBindings(): string[] {
  const read = (config: string) => {
    const parsed = unstable_readConfig({ config });
    const bindings = unstable_convertConfigBindingsToStartWorkerBindings(parsed) as Record<string, Record<string, unknown>>;
    type Migration = { new_sqlite_classes?: string[]; new_classes?: string[]; renamed_classes?: { from: string; to: string }[] };
    const classes = new Set(
      (parsed.migrations as Migration[]).flatMap((m) => [
        ...(m.new_sqlite_classes ?? []),
        ...(m.new_classes ?? []),
        ...(m.renamed_classes ?? []).map((r) => r.to),
      ]),
    );
    return { bindings, classes, flags: new Set(parsed.compatibility_flags), date: parsed.compatibility_date };
  };
  const root = read(ROOT_CONFIG);
  const bench = read(BENCH_CONFIG);
  const missing: string[] = [];
  for (const [name, binding] of Object.entries(root.bindings)) {
    const copy = bench.bindings[name];
    if (!copy) missing.push(`binding ${name} (${String(binding.type)})`);
    else if (copy.type !== binding.type) missing.push(`binding ${name}: type ${String(copy.type)}, root has ${String(binding.type)}`);
    else if (binding.class_name !== undefined && copy.class_name !== binding.class_name) {
      missing.push(`binding ${name}: class ${String(copy.class_name)}, root has ${String(binding.class_name)}`);
    }
  }
  for (const cls of root.classes) if (!bench.classes.has(cls)) missing.push(`migrated class ${cls}`);
  for (const flag of root.flags) if (!bench.flags.has(flag)) missing.push(`compatibility flag ${flag}`);
  if (root.date !== bench.date) missing.push(`compatibility_date ${root.date} (bench has ${bench.date})`);
  return missing;
}

/** Runs wrangler to completion; rejects with its output's tail on failure. */
export function wrangler(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d) => (output += String(d)));
    child.stderr.on("data", (d) => (output += String(d)));
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`wrangler ${args.join(" ")} exited ${code}:\n${output.slice(-3000)}`));
    });
  });
}

/** `wrangler deploy --dry-run`: the bundle wrangler would upload, written to `outdir`. */
export async function bundle(config: string, outdir: string): Promise<{ mainModule: string; files: string[] }> {
  await wrangler(["deploy", "--dry-run", "--outdir", outdir, "--config", config]);
  const main = unstable_readConfig({ config }).main;
  const files = readdirSync(outdir);
  const expected = `${path.basename(main ?? "index", path.extname(main ?? "index"))}.js`;
  const mainModule = files.includes(expected) ? expected : files.filter((f) => f.endsWith(".js"))[0];
  if (!mainModule) throw new Error(`no main module in ${outdir}: ${files.join(", ")}`);
  return { mainModule: path.join(outdir, mainModule), files };
}

export function applyMigrations(config: string, persistDir: string): Promise<string> {
  return wrangler(["d1", "migrations", "apply", "DB", "--local", "--config", config, "--persist-to", persistDir]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
  }
}

export type DevServer = {
  url: string;
  /** wrangler's inspector (Chrome DevTools Protocol) for the Worker's isolate. */
  inspectorPort: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
  /** Synchronous best effort, for process exit handlers. */
  kill(): void;
};

/** `wrangler dev` on the prebuilt bundle, without rebundling or watching the sources. */
export async function startDev(options: {
  config: string;
  script: string;
  persistDir: string;
  logFile: string;
  logLevel?: string;
  port?: number;
  inspectorPort?: number;
  /** More `--var NAME:VALUE` settings (the browser tests' ADMIN_TOKEN). */
  vars?: string[];
}): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const inspectorPort = options.inspectorPort ?? (await freePort());
  const log = createWriteStream(options.logFile);
  const child = spawn(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      options.script,
      "--no-bundle",
      "--config",
      options.config,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      options.persistDir,
      "--var",
      "ENVIRONMENT:development",
      "--var",
      "RATE_LIMITS:off",
      ...(options.vars ?? []).flatMap((v) => ["--var", v]),
      "--log-level",
      options.logLevel ?? "warn",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const server: DevServer = {
    url,
    inspectorPort,
    pid: child.pid!,
    logFile: options.logFile,
    kill: () => {
      killGroup(child, "SIGKILL");
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      // workerd children may outlive wrangler by a moment; the group gets the last word.
      killGroup(child, "SIGKILL");
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited ${child.exitCode} before answering:\n${tail(options.logFile)}`);
    }
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`wrangler dev did not answer within 90 s:\n${tail(options.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

export function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, "utf8").slice(-chars);
  } catch {
    return "(no log)";
  }
}

/**
 * CPU ms per acknowledged turn of the busiest server process (the Worker's workerd), from each
 * process's share of a core over the answering phase (`cpuShare`).
 */
export function busiestCpuMsPerTurn(serverCpu: Record<string, number>, answeringWallMs: number, answersAcknowledged: number): number {
  const busiest = Math.max(0, ...Object.values(serverCpu));
  return answersAcknowledged ? (busiest * answeringWallMs) / answersAcknowledged : Number.NaN;
}

/** CPU seconds so far of every process in a process group, by command name (Linux /proc). */
export function groupCpu(pgid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  const tick = 100; // USER_HZ on Linux
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return byName;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      // fields[0] is state (field 3): pgrp is field 5, utime 14, stime 15.
      if (Number(fields[2]) !== pgid) continue;
      const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
      byName[`${name}#${entry}`] = seconds;
    } catch {
      // The process ended while being read.
    }
  }
  return byName;
}
