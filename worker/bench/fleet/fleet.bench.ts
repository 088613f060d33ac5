/**
 * Fleet benchmark (not a test): N concurrent interviews over WebSockets against `wrangler dev`
 * on loopback, next to a bare echo Durable Object (the platform's floor) in the same process.
 * See worker/bench/fleet/README.md for what each number means.
 *
 *   npm run bench:fleet -- --sizes 100,300 --answers 10     (or --quick)
 *
 * Flags (or env): --sizes (FLEET_SIZES, default 100,300,1000), --answers (FLEET_ANSWERS, 10),
 * --single (FLEET_SINGLE, answers of the 1-interview run, 20), --quick (FLEET_QUICK=1: sizes 20,
 * 5 answers, 10 single), --repeat (FLEET_REPEAT, echo/project pairs per size, 1; the table shows the
 * median pair), --cap-minutes (FLEET_CAP_MINUTES, 10), --keep-state (keep the temp dir),
 * --no-bundle-size, --log-level (wrangler's, default warn), --profile (after the measured runs, one
 * more project run of the smallest size under the CPU profiler: top functions printed,
 * .cpuprofile written next to the JSON), --serve [--port P] (no load: start the bench Worker and
 * keep it running, for poking and profiling by hand), --url U [--persist-to DIR] [--inspector-port P]
 * (load a bench Worker already running, e.g. one from --serve, instead of starting one).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createClient } from "@libsql/client";
import { measureBundle, type BundleSize } from "./bundle-size.ts";
import { runLoad, type LoadResult } from "./load.ts";
import { Profiler, topSelfTime } from "./profile.ts";
import {
  BENCH_CONFIG,
  REPO_ROOT,
  applyMigrations,
  bundle,
  busiestCpuMsPerTurn,
  groupCpu,
  missingBindings,
  startDev,
  tail,
  writeRunConfig,
  type DevServer,
} from "./wrangler-dev.ts";

const { values: flags } = parseArgs({
  options: {
    sizes: { type: "string" },
    answers: { type: "string" },
    single: { type: "string" },
    quick: { type: "boolean" },
    "cap-minutes": { type: "string" },
    "keep-state": { type: "boolean" },
    "no-bundle-size": { type: "boolean" },
    "log-level": { type: "string" },
    profile: { type: "boolean" },
    serve: { type: "boolean" },
    port: { type: "string" },
    url: { type: "string" },
    "persist-to": { type: "string" },
    "inspector-port": { type: "string" },
    repeat: { type: "string" },
    "no-consent": { type: "boolean" },
    "echo-frames": { type: "boolean" },
    ablate: { type: "string" },
  },
});
const quick = flags.quick ?? process.env.FLEET_QUICK === "1";
const sizes = (flags.sizes ?? process.env.FLEET_SIZES ?? (quick ? "20" : "100,300,1000"))
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const answers = Number(flags.answers ?? process.env.FLEET_ANSWERS ?? (quick ? 5 : 10));
const singleAnswers = Number(flags.single ?? process.env.FLEET_SINGLE ?? (quick ? 10 : 20));
const capMs = Number(flags["cap-minutes"] ?? process.env.FLEET_CAP_MINUTES ?? 10) * 60_000;
/**
 * Echo/project pairs per size. The machine may be shared: one pair can catch a burst of other
 * work on one side only, so the table shows the median ratio over the pairs.
 */
/**
 * What the project's interviews skip after their session's first commit, to measure each
 * part's cost by its absence: `state` (the state's writes), `journal` (the journal rows, so
 * also every D1 write). The answers are then not stored: the run's `in D1` is not checked.
 */
const ablate = (flags.ablate ?? "").split(",").map((s) => s.trim()).filter(Boolean);
for (const part of ablate) if (part !== "state" && part !== "journal") throw new Error(`--ablate: unknown part "${part}" (state, journal)`);
/** Sessions without consent: no research records, so no D1 writes (the record path's share). */
const consent = !flags["no-consent"];
/** The echo also sends the project's two extra frames per turn (tips, feedback): the protocol's own share. */
const echoFrames = flags["echo-frames"] ?? process.env.FLEET_ECHO_FRAMES === "1";
const repeat = Math.max(1, Number(flags.repeat ?? process.env.FLEET_REPEAT ?? 1) || 1);
/** Replication to D1 is given this long to catch up after a run. */
const SETTLE_MS = 30_000;

type Counters = {
  objects: number;
  d1: { calls: number; statements: number; batches: number; execs: number };
  storage: Record<"transactionSync" | "transaction" | "setAlarm" | "deleteAlarm" | "kvPut" | "kvDelete" | "sqlWrites" | "sqlReads" | "kvPutChars" | "sqlWriteChars", number>;
};

type Phase = {
  name: string;
  load: Omit<LoadResult, "sessionIds">;
  /** Server processes' CPU time during the answering phase, as a share of one core. */
  serverCpu?: Record<string, number>;
  /** Project runs: counters of the answering phase (after replication settled) and of setup. */
  counters?: Counters;
  setupCounters?: Counters;
  perTurn?: Record<string, number>;
  d1?: { answersStored: number; settledAfterMs: number };
};

const started = new Date();
const phases: Phase[] = [];
let bundleSize: BundleSize | { error: string } | undefined;
let server: DevServer | undefined;
/** The bench Worker's URL: the server started here, or --url. */
let baseUrl = "";
let tmpRoot: string | undefined;
let finished = false;
let profileSummary: { phase: string; file: string; top: ReturnType<typeof topSelfTime> } | undefined;

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    openFilesLimit: spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim(),
    commit: git(["rev-parse", "--short", "HEAD"]),
    /** Uncommitted changes under worker/src and shared/src: the numbers are of the working tree. */
    dirty: git(["status", "--porcelain", "--", "worker/src", "shared/src"]) !== "",
  };
}

function git(args: string[]): string {
  const result = spawnSync("git", args, { cwd: REPO_ROOT, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

async function counters(action: "read" | "reset"): Promise<Counters> {
  const response = await fetch(`${baseUrl}/__bench/counters${action === "reset" ? "/reset" : ""}`, {
    method: action === "reset" ? "POST" : "GET",
  });
  if (!response.ok) throw new Error(`counters: HTTP ${response.status}`);
  return (await response.json()) as Counters;
}

/** Answers D1 holds for these sessions (the local D1 SQLite file wrangler dev persists). */
async function answersInD1(persistDir: string, sessionIds: readonly string[]): Promise<number> {
  const dir = path.join(persistDir, "v3/d1/miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  let total = 0;
  for (const file of files) {
    const db = createClient({ url: `file:${path.join(dir, file)}` });
    try {
      const tables = await db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answerrecord'");
      if (tables.rows.length === 0) continue;
      for (let i = 0; i < sessionIds.length; i += 500) {
        const chunk = sessionIds.slice(i, i + 500);
        const result = await db.execute({
          sql: `SELECT count(*) AS n FROM answerrecord WHERE session_id IN (${chunk.map(() => "?").join(",")})`,
          args: [...chunk],
        });
        total += Number(result.rows[0]?.n ?? 0);
      }
    } finally {
      db.close();
    }
  }
  return total;
}

/** Polls D1 until it holds every acknowledged answer, or stops changing, or SETTLE_MS pass. */
async function settleD1(persistDir: string, sessionIds: readonly string[], expected: number) {
  const start = performance.now();
  let last = -1;
  let stableSince = performance.now();
  for (;;) {
    const stored = await answersInD1(persistDir, sessionIds);
    const now = performance.now();
    if (stored !== last) {
      last = stored;
      stableSince = now;
    }
    if (stored >= expected || now - stableSince >= 5_000 || now - start >= SETTLE_MS) {
      return { answersStored: stored, settledAfterMs: Math.round(now - start) };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function cpuShare(before: Record<string, number>, after: Record<string, number>, wallMs: number): Record<string, number> {
  const share: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after)) {
    share[name] = Math.round(((seconds - (before[name] ?? 0)) / (wallMs / 1000)) * 100) / 100;
  }
  return share;
}

async function phase(name: string, kind: "project" | "echo", sessions: number, perSession: number, persistDir: string | undefined) {
  process.stdout.write(`  ${name} ... `);
  let cpuBefore: Record<string, number> = {};
  let setupCounters: Counters | undefined;
  if (kind === "project") await counters("reset");
  const result = await runLoad({
    kind,
    baseUrl,
    sessions,
    answers: perSession,
    consent,
    echoFrames,
    beforeAnswering: async () => {
      if (kind === "project") {
        setupCounters = await counters("read");
        await counters("reset");
      }
      cpuBefore = server ? groupCpu(server.pid) : {};
    },
  });
  const serverCpu = server ? cpuShare(cpuBefore, groupCpu(server.pid), result.answeringWallMs) : undefined;
  const { sessionIds, ...load } = result;
  const entry: Phase = { name, load, serverCpu };
  if (kind === "project") {
    // Without consent nothing is meant to reach D1.
    if (persistDir && consent && !ablate.includes("journal")) entry.d1 = await settleD1(persistDir, sessionIds, result.answersAcknowledged);
    const c = await counters("read");
    const per = (n: number) => (result.answersAcknowledged ? Math.round((n / result.answersAcknowledged) * 100) / 100 : Number.NaN);
    entry.counters = c;
    entry.setupCounters = setupCounters;
    entry.perTurn = {
      d1Calls: per(c.d1.calls),
      d1Statements: per(c.d1.statements),
      storageCommits: per(c.storage.transactionSync + c.storage.transaction),
      alarmWrites: per(c.storage.setAlarm + c.storage.deleteAlarm),
      kvWrites: per(c.storage.kvPut + c.storage.kvDelete),
      sqlWrites: per(c.storage.sqlWrites),
      sqlReads: per(c.storage.sqlReads),
      kvPutChars: per(c.storage.kvPutChars),
      sqlWriteChars: per(c.storage.sqlWriteChars),
    };
  }
  phases.push(entry);
  const l = result;
  console.log(
    `${l.answersAcknowledged}/${sessions * perSession} acked, ${l.failedSessions} failed, ` +
      `${l.turnsPerSecond.toFixed(0)} turns/s, p50 ${l.latencyMs.p50.toFixed(1)} ms, p99 ${l.latencyMs.p99.toFixed(1)} ms` +
      (entry.d1 ? `, D1 ${entry.d1.answersStored} stored after ${(entry.d1.settledAfterMs / 1000).toFixed(1)} s` : ""),
  );
  if (l.failedSessions) console.log(`    failures: ${JSON.stringify(l.failures)}`);
  if (l.unexpectedQuestions) console.log(`    ${l.unexpectedQuestions} question frames of another turn skipped`);
  // Let closes and background work drain before the next phase.
  await new Promise((r) => setTimeout(r, 1_000));
}

/** Phase names of the 2nd and later pair of a size: "echo 300 #2". */
const runSuffix = (i: number) => (i === 0 ? "" : ` #${i + 1}`);
const ratioOf = (x: { e?: Phase; p?: Phase }) => (x.p?.load.turnsPerSecond ?? 0) / (x.e?.load.turnsPerSecond || 1);
const fmt = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits));
const pad = (s: string, w: number) => s.padStart(w);

function report(): string {
  const find = (name: string) => phases.find((p) => p.name === name);
  const lines: string[] = [];
  const m = machine();
  lines.push(
    `fleet bench ${started.toISOString()} — ${m.cpu} ×${m.cores}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}, ulimit -n ${m.openFilesLimit}, ` +
      `commit ${m.commit || "?"}${m.dirty ? " + uncommitted changes" : ""}`,
  );
  if (ablate.length > 0) lines.push(`interviews skip their writes after the first (--ablate ${ablate.join(",")}): a measurement, not the service`);
  if (!consent) lines.push("sessions without consent (--no-consent): no research records, nothing written to D1");
  if (echoFrames) lines.push("the echo sends a tips and a feedback frame before each echo (--echo-frames)");
  const e1 = find("echo 1");
  const p1 = find("project 1");
  if (e1 && p1) {
    lines.push(
      `1 interview × ${singleAnswers} answers, p50: echo ${fmt(e1.load.latencyMs.p50, 2)} ms, project ${fmt(p1.load.latencyMs.p50, 2)} ms, ` +
        `project/echo ${fmt(p1.load.latencyMs.p50 / e1.load.latencyMs.p50, 1)}×`,
    );
  }
  lines.push(
    "     N | echo turns/s | project turns/s | ratio | echo p50/p90/p99 ms    | project p50/p90/p99 ms  | failed e/p | acked  | in D1  | D1 calls/turn | commits/turn | alarm writes/turn",
  );
  for (const n of sizes) {
    // With --repeat, the pair whose ratio is the median (the lower one of an even count).
    const pairs = Array.from({ length: repeat }, (_, i) => ({ e: find(`echo ${n}${runSuffix(i)}`), p: find(`project ${n}${runSuffix(i)}`) }));
    const ranked = pairs.filter((x) => x.e && x.p).sort((a, b) => ratioOf(a) - ratioOf(b));
    const { e, p } = ranked[Math.floor((ranked.length - 1) / 2)] ?? pairs[0]!;
    if (!e && !p) continue;
    const pct = (x?: Phase) => (x ? `${fmt(x.load.latencyMs.p50)}/${fmt(x.load.latencyMs.p90)}/${fmt(x.load.latencyMs.p99)}` : "-");
    lines.push(
      [
        pad(String(n), 6),
        pad(fmt(e?.load.turnsPerSecond, 0), 13),
        pad(fmt(p?.load.turnsPerSecond, 0), 16),
        pad(e && p ? fmt(p.load.turnsPerSecond / e.load.turnsPerSecond, 2) : "-", 6),
        pad(pct(e), 22),
        pad(pct(p), 23),
        pad(`${e?.load.failedSessions ?? "-"}/${p?.load.failedSessions ?? "-"}`, 11),
        pad(String(p?.load.answersAcknowledged ?? "-"), 7),
        pad(String(p?.d1?.answersStored ?? "-"), 7),
        pad(fmt(p?.perTurn?.d1Calls, 2), 14),
        pad(fmt(p?.perTurn?.storageCommits, 2), 13),
        pad(fmt(p?.perTurn?.alarmWrites, 2), 18),
      ].join(" |"),
    );
  }
  if (repeat > 1) {
    for (const n of sizes) {
      const ratios = Array.from({ length: repeat }, (_, i) => ({ e: find(`echo ${n}${runSuffix(i)}`), p: find(`project ${n}${runSuffix(i)}`) }))
        .filter((x) => x.e && x.p)
        .map((x) => fmt(ratioOf(x), 2));
      lines.push(`  ${n}: ratio of each pair ${ratios.join(", ")} (table: the median pair)`);
    }
  }
  for (const p of phases) {
    if (!p.serverCpu) continue;
    const top = Object.entries(p.serverCpu)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${Math.round(v * 100)}%`)
      .join(", ");
    const perTurn = busiestCpuMsPerTurn(p.serverCpu, p.load.answeringWallMs, p.load.answersAcknowledged);
    lines.push(
      `  CPU while answering, ${p.name}: ${top || "idle"} (${fmt(perTurn, 2)} ms of the busiest process per turn); ` +
        `load client ${Math.round((p.load.clientCpuMs / p.load.answeringWallMs) * 100)}% (${fmt(p.load.clientCpuMs / (p.load.answersAcknowledged || 1), 2)} ms per turn)`,
    );
  }
  for (const p of phases) {
    if (!p.perTurn) continue;
    lines.push(`  written per turn, ${p.name}: ${fmt(p.perTurn.kvPutChars, 0)} characters by kv.put, ${fmt(p.perTurn.sqlWriteChars, 0)} in SQL writes' bindings`);
  }
  if (bundleSize) {
    lines.push(
      "error" in bundleSize
        ? `bundle size: failed (${bundleSize.error})`
        : `bundle (wrangler.toml, main module ${bundleSize.mainModule}): ${bundleSize.bytes} bytes, ${bundleSize.gzipBytes} bytes gzip`,
    );
  }
  if (profileSummary) {
    lines.push(`CPU profile, ${profileSummary.phase} answering phase (${profileSummary.file}), top self time:`);
    for (const f of profileSummary.top) lines.push(`  ${String(f.ms).padStart(6)} ms ${fmt(f.share).padStart(5)}%  ${f.fn}`);
  }
  return lines.join("\n");
}

function writeResults(partial: boolean): string {
  const dir = path.join(REPO_ROOT, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `fleet-${resultsStamp()}.json`);
  writeFileSync(
    file,
    JSON.stringify({ started: started.toISOString(), partial, machine: machine(), sizes, answers, singleAnswers, repeat, consent, echoFrames, ablate, bundleSize, phases, profile: profileSummary }, null, 2),
  );
  return file;
}

function resultsStamp(): string {
  return started.toISOString().slice(0, 19).replaceAll(":", "");
}

/** One more project run under the CPU profiler; not part of the table (profiling slows it). */
async function profiledRun(n: number): Promise<void> {
  if (!server && !flags["inspector-port"]) throw new Error("--profile with --url needs --inspector-port");
  const profiler = await Profiler.attach(server?.inspectorPort ?? Number(flags["inspector-port"]));
  try {
    await runLoad({ kind: "project", baseUrl, sessions: n, answers, consent, beforeAnswering: () => profiler.start() });
    const profile = await profiler.stop();
    const dir = path.join(REPO_ROOT, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `fleet-${resultsStamp()}-project-${n}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    profileSummary = { phase: `project ${n}`, file: path.relative(REPO_ROOT, file), top: topSelfTime(profile) };
  } finally {
    profiler.close();
  }
}

async function cleanup(): Promise<void> {
  await server?.stop().catch(() => server?.kill());
  server = undefined;
  if (tmpRoot && !flags["keep-state"]) rmSync(tmpRoot, { recursive: true, force: true });
}

function abort(why: string, code: number): void {
  if (finished) return;
  finished = true;
  console.error(`\nfleet bench: ${why}`);
  if (phases.length) {
    console.log(report());
    console.log(`partial results: ${writeResults(true)}`);
  }
  void cleanup().finally(() => process.exit(code));
}

process.on("SIGINT", () => abort("interrupted", 130));
process.on("SIGTERM", () => abort("terminated", 143));
process.on("exit", () => server?.kill());
const capTimer = setTimeout(() => abort(`stopped at the ${capMs / 60_000}-minute cap`, 2), capMs);

try {
  const lagging = missingBindings();
  if (lagging.length) {
    // The run itself uses wrangler.toml as it is now; only manual use of the file is affected.
    console.warn(`note: ${path.relative(REPO_ROOT, BENCH_CONFIG)} lags wrangler.toml (${lagging.join("; ")}); this run uses wrangler.toml's.`);
  }
  const limit = Number(machine().openFilesLimit);
  const need = 2 * Math.max(...sizes, 1) + 256;
  if (Number.isFinite(limit) && limit < need) {
    console.warn(`warning: ulimit -n is ${limit}; ${Math.max(...sizes)} sockets want about ${need} (raise it: ulimit -n ${need})`);
  }
  let persistDir: string | undefined;
  if (flags.url) {
    baseUrl = flags.url.replace(/\/$/, "");
    persistDir = flags["persist-to"];
    if (!persistDir) console.warn("note: without --persist-to, answers stored in D1 are not counted");
  } else {
    tmpRoot = mkdtempSync(path.join(os.tmpdir(), "fleet-bench-"));
    persistDir = path.join(tmpRoot, "state");
    const config = writeRunConfig(tmpRoot);
    if (!flags["no-bundle-size"] && !flags.serve) {
      bundleSize = await measureBundle().catch((error: unknown) => ({ error: String(error).slice(0, 300) }));
    }
    // One snapshot of the bench Worker: edits made while the bench runs cannot reload it.
    const { mainModule } = await bundle(config, path.join(tmpRoot, "bundle"));
    await applyMigrations(config, persistDir);
    server = await startDev({
      config,
      script: mainModule,
      persistDir,
      logFile: path.join(tmpRoot, "wrangler-dev.log"),
      logLevel: flags["log-level"],
      port: flags.port ? Number(flags.port) : undefined,
      vars: ablate.length > 0 ? [`BENCH_ABLATE:${ablate.join(",")}`] : [],
    });
    baseUrl = server.url;
  }
  if (flags.serve) {
    clearTimeout(capTimer);
    if (!server) throw new Error("--serve starts its own server; drop --url");
    console.log(
      `serving the bench Worker on ${server.url} (/ws/interview, /ws/echo, /__bench/counters); log ${server.logFile}\n` +
        `  DevTools: chrome://inspect → Configure → 127.0.0.1:${server.inspectorPort}\n` +
        `  load it: npm run bench:fleet -- --url ${server.url} --persist-to ${persistDir} --inspector-port ${server.inspectorPort} [--sizes ...]\n` +
        `  Ctrl-C stops it`,
    );
    await new Promise(() => setInterval(() => undefined, 1 << 30));
  }
  console.log(
    `fleet bench: sizes ${sizes.join(", ")} × ${answers} answers, single ${singleAnswers}; bench Worker on ${baseUrl}` +
      (tmpRoot ? `, state in ${tmpRoot}` : ""),
  );

  // Warm-up (not reported): compiles the code paths once.
  await runLoad({ kind: "echo", baseUrl, sessions: 2, answers: 3 });
  await runLoad({ kind: "project", baseUrl, sessions: 2, answers: 3 });

  await phase("echo 1", "echo", 1, singleAnswers, persistDir);
  await phase("project 1", "project", 1, singleAnswers, persistDir);
  for (const n of sizes) {
    for (let i = 0; i < repeat; i++) {
      await phase(`echo ${n}${runSuffix(i)}`, "echo", n, answers, persistDir);
      await phase(`project ${n}${runSuffix(i)}`, "project", n, answers, persistDir);
    }
  }
  if (flags.profile) await profiledRun(Math.min(...sizes));
  finished = true;
  clearTimeout(capTimer);
  console.log(`\n${report()}`);
  console.log(`results: ${writeResults(false)}`);
  await cleanup();
} catch (error) {
  clearTimeout(capTimer);
  // After an interrupt the run in flight fails as its server goes away: nothing more to say.
  if (server && !finished) console.error(`wrangler dev log tail:\n${tail(server.logFile)}`);
  abort(error instanceof Error ? error.message : String(error), 1);
}
