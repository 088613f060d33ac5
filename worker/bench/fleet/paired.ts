/**
 * This working tree against another revision, side by side: each runs its own fleet bench
 * (its own `wrangler dev`) at the same time, round after round, so both see the same load on
 * the machine. Sequential runs move by up to 2x with other work; paired ones compare
 * revisions (README, Performance).
 *
 *   npm run bench:fleet:paired -- --against <git ref> [--sizes 100] [--answers 10] [--rounds 3] [--ablate ...]
 *
 * The other revision is checked out in a temporary git worktree sharing this tree's
 * node_modules, and its own bench code runs there (flags both know only: `--ablate` is passed
 * to this tree's run alone). Prints, per round and size, the project's CPU per turn (the
 * busiest workerd process, as the bench prints it) and turns/s for both, and writes
 * `bench-results/fleet-paired-<time>.json`.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { percentile } from "./load.ts";
import { busiestCpuMsPerTurn } from "./wrangler-dev.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const WORKSPACES = ["", "shared", "worker", "gpu-worker", "web"];

const { values: flags } = parseArgs({
  options: {
    against: { type: "string" },
    sizes: { type: "string" },
    answers: { type: "string" },
    rounds: { type: "string" },
    ablate: { type: "string" },
  },
});
if (!flags.against) throw new Error("--against <git ref> is required (the revision to compare with)");
const sizes = flags.sizes ?? "100";
const answers = flags.answers ?? "10";
const rounds = Math.max(1, Number(flags.rounds ?? 3) || 1);

type Phase = { name: string; load: { answersAcknowledged: number; answeringWallMs: number; turnsPerSecond: number }; serverCpu?: Record<string, number> };
type Side = { label: string; root: string; extra: string[] };
type Row = { round: number; size: number; side: string; cpuMsPerTurn: number; turnsPerSecond: number; echoTurnsPerSecond: number };

function git(args: string[], cwd = REPO_ROOT): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** One fleet bench run in `side.root`; resolves with its results file. */
function runBench(side: Side): Promise<string> {
  const args = ["worker/bench/fleet/fleet.bench.ts", "--sizes", sizes, "--answers", answers, "--repeat", "1", "--single", "2", "--no-bundle-size", ...side.extra];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: side.root, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const file = /^results: (.+)$/m.exec(out)?.[1];
      if (code === 0 && file) resolve(file.trim());
      else reject(new Error(`${side.label}: the bench exited ${code}; its last lines:\n${out.split("\n").slice(-15).join("\n")}`));
    });
  });
}


function rowsOf(file: string, round: number, side: string): Row[] {
  const { phases } = JSON.parse(readFileSync(file, "utf8")) as { phases: Phase[] };
  return sizes.split(",").map((s) => {
    const size = Number(s);
    const project = phases.find((p) => p.name === `project ${size}`);
    const echo = phases.find((p) => p.name === `echo ${size}`);
    if (!project || !echo) throw new Error(`${file}: no phases for ${size}`);
    return { round, size, side, cpuMsPerTurn: busiestCpuMsPerTurn(project.serverCpu ?? {}, project.load.answeringWallMs, project.load.answersAcknowledged), turnsPerSecond: project.load.turnsPerSecond, echoTurnsPerSecond: echo.load.turnsPerSecond };
  });
}

/** The middle round (nearest rank: the lower middle of an even count). */
const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);

async function main(): Promise<void> {
  const ref = flags.against!;
  const commit = git(["rev-parse", "--short", ref]);
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-paired-"));
  const other = path.join(dir, "tree");
  git(["worktree", "add", "--detach", other, commit]);
  try {
    for (const ws of WORKSPACES) {
      const modules = path.join(REPO_ROOT, ws, "node_modules");
      if (existsSync(modules) && existsSync(path.join(other, ws))) symlinkSync(modules, path.join(other, ws, "node_modules"));
    }
    const here: Side = { label: `this tree (${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain"]) ? " + changes" : ""})`, root: REPO_ROOT, extra: flags.ablate ? ["--ablate", flags.ablate] : [] };
    const there: Side = { label: `${ref} (${commit})`, root: other, extra: [] };
    const rows: Row[] = [];
    for (let round = 1; round <= rounds; round++) {
      process.stdout.write(`round ${round} of ${rounds} ... `);
      const [a, b] = await Promise.all([runBench(here), runBench(there)]);
      rows.push(...rowsOf(a, round, "here"), ...rowsOf(b, round, "there"));
      console.log("done");
    }
    console.log(`\nfleet bench, paired: ${here.label} against ${there.label}; sizes ${sizes} × ${answers} answers, ${rounds} rounds, both at once each round`);
    console.log("  size | round | CPU ms/turn here / there | project turns/s here / there | echo turns/s here / there");
    for (const row of rows.filter((r) => r.side === "here")) {
      const twin = rows.find((r) => r.side === "there" && r.round === row.round && r.size === row.size)!;
      console.log(
        `  ${String(row.size).padStart(4)} | ${String(row.round).padStart(5)} | ${row.cpuMsPerTurn.toFixed(2)} / ${twin.cpuMsPerTurn.toFixed(2)}`.padEnd(45) +
          ` | ${row.turnsPerSecond.toFixed(0)} / ${twin.turnsPerSecond.toFixed(0)}`.padEnd(32) +
          ` | ${row.echoTurnsPerSecond.toFixed(0)} / ${twin.echoTurnsPerSecond.toFixed(0)}`,
      );
    }
    for (const size of new Set(rows.map((r) => r.size))) {
      const of = (side: string) => rows.filter((r) => r.side === side && r.size === size).map((r) => r.cpuMsPerTurn);
      const lower = rows.filter((r) => r.side === "here" && r.size === size && r.cpuMsPerTurn < rows.find((t) => t.side === "there" && t.round === r.round && t.size === size)!.cpuMsPerTurn).length;
      console.log(`  ${size}: median CPU per turn ${median(of("here")).toFixed(2)} ms here, ${median(of("there")).toFixed(2)} ms there; lower here in ${lower} of ${rounds} rounds`);
    }
    const out = path.join(REPO_ROOT, "bench-results");
    mkdirSync(out, { recursive: true });
    const file = path.join(out, `fleet-paired-${new Date().toISOString().replace(/[:.]/g, "").slice(0, 15)}.json`);
    writeFileSync(file, JSON.stringify({ here: here.label, there: there.label, sizes, answers, rounds, rows }, null, 2));
    console.log(`results: ${file}`);
  } finally {
    git(["worktree", "remove", "--force", other]);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
