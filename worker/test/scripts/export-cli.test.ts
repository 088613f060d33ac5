/**
 * The researcher CLIs against a `file:` libSQL database: the migrate script applies
 * `migrations/`, the export renders JSON and CSV through the shared repository, arguments
 * are checked, and `npm run export` works end to end as a process.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRecords } from "../../src/storage/writes.ts";
import { toCsv } from "@interview/shared/csv";
import { findLocalD1, parseExportArgs, runExport, wantsHelp } from "../../scripts/export-lib.ts";
import { migrateLibsql } from "../../scripts/migrate-libsql.ts";
import { answer, checkin, sessionRecords, telemetry } from "../storage/repository-suite.ts";

const dir = mkdtempSync(path.join(tmpdir(), "export-cli-"));
const url = `file:${path.join(dir, "research.db")}`;
const base = Date.UTC(2026, 10, 26, 9, 30);
const first = sessionRecords(base, { group: "control" });
const second = sessionRecords(base + 60_000, { group: "treatment" });

beforeAll(async () => {
  await migrateLibsql(url);
  await migrateLibsql(url); // idempotent
  const client = createClient({ url });
  await insertRecords(drizzle(client), [
    ...first.records,
    answer(first.id, 2, base + 1000, 1, { speakingRate: 130.5, fillers: 2 }, "control"),
    checkin(first.id, 3, base + 2000, 4, 2, "control"),
    telemetry(first.id, 4, base + 3000, "latency", 640, { turn: 1, note: 'said "hi", then left' }, "control"),
    ...second.records,
  ]);
  client.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("export CLI", () => {
  it("exports one session as JSON in the REST shape", async () => {
    const out = JSON.parse(await runExport(parseExportArgs(["--db", url, "--session", first.id])));
    expect(out.session).toMatchObject({ id: first.id, group_name: "control", participant_id: `p_${first.id}`, created_at: "2026-11-26T09:30:00.000Z" });
    expect(out.answers).toMatchObject([{ turn: 1, speaking_rate: 130.5, fillers: 2 }]);
    expect(out.checkins).toMatchObject([{ confidence: 4, stress: 2 }]);
    expect(out.telemetry.map((t: { event_type: string }) => t.event_type)).toEqual(["session_meta", "latency"]);
    expect(out.telemetry[1].payload).toEqual({ turn: 1, note: 'said "hi", then left' });
  });

  it("exports every session, newest first", async () => {
    const out = JSON.parse(await runExport(parseExportArgs([`--db=${url}`])));
    expect(out.sessions.map((s: { session: { id: string } }) => s.session.id)).toEqual([second.id, first.id]);
  });

  it("writes CSV for a chosen table with RFC 4180 quoting", async () => {
    const answers = await runExport(parseExportArgs(["--db", url, "--format", "csv"]));
    const lines = answers.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,session_id,turn,answer,style,group_name,speaking_rate,pause_ratio,gaze,fillers,created_at");
    expect(lines[1]).toBe(`1,${first.id},1,answer 1,neutral,control,130.5,,,2,2026-11-26T09:30:01.000Z`);
    const telemetryCsv = await runExport(parseExportArgs(["--db", url, "--format", "csv", "--table", "telemetry", "--session", first.id]));
    const sessionsCsv = (await runExport(parseExportArgs(["--db", url, "--format", "csv", "--table", "sessions", "--session", first.id]))).trimEnd().split("\r\n");
    expect(sessionsCsv).toEqual([
      "id,style,group_name,group_assignment,participant_id,consented,accent,notes,created_at",
      `${first.id},neutral,control,server,p_${first.id},true,en-GB,,2026-11-26T09:30:00.000Z`,
    ]);
    expect(telemetryCsv).toContain('"{""turn"":1,""note"":""said \\""hi\\"", then left""}"');
    expect(toCsv([{ a: "x,y", b: null, c: "line\nbreak" }], ["a", "b", "c"])).toBe('a,b,c\r\n"x,y",,"line\nbreak"\r\n');
  });

  it("fails for an unknown session and refuses bad arguments", async () => {
    await expect(runExport(parseExportArgs(["--db", url, "--session", "nope"]))).rejects.toThrow("unknown session nope");
    expect(() => parseExportArgs([])).toThrow("--db (or --local) is required");
    expect(() => parseExportArgs(["--db", url, "--format", "xml"])).toThrow("--format");
    expect(() => parseExportArgs(["--db", url, "--table", "users"])).toThrow("--table");
    expect(() => parseExportArgs(["--db", url, "--verbose", "1"])).toThrow("unknown option");
    expect(parseExportArgs(["--db", url], { LIBSQL_AUTH_TOKEN: "t" }).authToken).toBe("t");
  });

  it("--local finds the local D1 file of `npm run dev`, never miniflare's metadata.sqlite", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "export-local-"));
    try {
      expect(() => parseExportArgs(["--local"], {}, root)).toThrow(/no local D1 database under .*npm run dev/);
      const d1 = path.join(root, ".wrangler", "state", "v3", "d1", "miniflare-D1DatabaseObject");
      mkdirSync(d1, { recursive: true });
      writeFileSync(path.join(d1, "metadata.sqlite"), "");
      expect(() => parseExportArgs(["--local"], {}, root)).toThrow("no local D1 database");
      const real = path.join(d1, "0a1b2c.sqlite");
      copyFileSync(url.slice("file:".length), real);
      const stale = path.join(d1, "ffee.sqlite");
      writeFileSync(stale, "");
      utimesSync(stale, new Date(2020, 0, 1), new Date(2020, 0, 1));
      writeFileSync(path.join(d1, "0a1b2c.sqlite-wal"), "");
      expect(findLocalD1(root)).toBe(real);
      const options = parseExportArgs(["--local", "--session", first.id], {}, root);
      expect(options.db).toBe(`file:${real}`);
      expect(JSON.parse(await runExport(options)).session.id).toBe(first.id);
      expect(() => parseExportArgs(["--local", "--db", url], {}, root)).toThrow("exclude each other");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("recognises --help and -h", () => {
    expect(wantsHelp(["--help"])).toBe(true);
    expect(wantsHelp(["--db", url, "-h"])).toBe(true);
    expect(wantsHelp(["--db", url])).toBe(false);
  });

  it("runs as `npm run export`", { timeout: 60_000 }, async () => {
    const root = path.resolve(import.meta.dirname, "../../..");
    const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "export", "--", "--db", url, "--session", second.id], { cwd: root });
    expect(JSON.parse(stdout).session.id).toBe(second.id);
    const failed = await promisify(execFile)("npm", ["run", "--silent", "export", "--", "--db", url, "--session", "nope"], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain("unknown session nope");
    for (const flag of ["--help", "-h"]) {
      const help = await promisify(execFile)("npm", ["run", "--silent", "export", "--", flag], { cwd: root });
      expect(help.stdout).toMatch(/^Usage: npm run export -- /);
      expect(help.stdout).toContain("--local");
      expect(help.stderr).toBe("");
    }
    const bad = await promisify(execFile)("npm", ["run", "--silent", "export", "--", "--verbose", "1"], { cwd: root }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
  });
});

describe("CSV cells a spreadsheet would run", () => {
  it("prefix text starting with = + - @ tab or CR with an apostrophe; numbers and other text stay as they are", () => {
    const rows = [
      { answer: "=HYPERLINK(\"http://x\",\"click\")", n: -5 },
      { answer: "+1 for the team", n: 3 },
      { answer: "-rollout plan", n: 0 },
      { answer: "@channel ping", n: 1.5 },
      { answer: "\tindented", n: 2 },
      { answer: "plain, with a comma", n: 4 },
    ];
    const lines = toCsv(rows, ["answer", "n"]).trimEnd().split("\r\n");
    expect(lines).toEqual([
      "answer,n",
      `"'=HYPERLINK(""http://x"",""click"")",-5`,
      "'+1 for the team,3",
      "'-rollout plan,0",
      "'@channel ping,1.5",
      "'\tindented,2",
      `"plain, with a comma",4`,
    ]);
  });
});
