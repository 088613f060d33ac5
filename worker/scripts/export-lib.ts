/**
 * The export CLI's work, apart from process concerns so tests can call it: read sessions
 * from a libSQL database (a `file:` path or `libsql://` Turso URL) through the same
 * repository the Worker uses, and render JSON (the `/export/session/:id` shape) or CSV.
 *
 * JSON: one session → its export object; all sessions → `{"sessions": [...]}`, newest first.
 * CSV: one table (`--table`, default `answers`) for the chosen session(s), RFC 4180 quoting,
 * nulls as empty fields, telemetry payloads as JSON text.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { exportSession, sessionIds, type SessionExport } from "../src/storage/reads.ts";
import { parseFlags } from "./cli-args.ts";
import { EXPORT_COLUMNS, toCsv, type ExportTable } from "@interview/shared/csv";

export const USAGE = `Usage: npm run export -- (--db <libsql url> | --local) [--session <id>] [--format json|csv] [--table sessions|answers|checkins|telemetry|feedback] [--auth-token <token>]
  --db          file:research.db, or libsql://<db>.turso.io (token from --auth-token or LIBSQL_AUTH_TOKEN)
  --local       the local D1 database of \`npm run dev\` (.wrangler/state/v3/d1 under the current directory)
  --session     one session id; default: every session
  --format      json (default) or csv
  --table       for csv: which table to write (default answers)
  -h, --help    this text`;

/** True when the arguments ask for the usage text (`--help` or `-h` anywhere). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((arg) => arg === "--help" || arg === "-h");
}

/**
 * The SQLite file behind the local D1 binding of `wrangler dev`, under
 * `<root>/.wrangler/state/v3/d1/<namespace>/<hash>.sqlite`. Miniflare keeps a
 * `metadata.sqlite` beside it, which is never the database. With several candidates the most
 * recently written wins.
 */
export function findLocalD1(root: string): string {
  const base = path.join(root, ".wrangler", "state", "v3", "d1");
  const candidates: { file: string; mtime: number }[] = [];
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync(base);
  } catch {
    // no local state yet: reported below
  }
  for (const namespace of namespaces) {
    const dir = path.join(base, namespace);
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of files) {
      if (!name.endsWith(".sqlite") || name === "metadata.sqlite") continue;
      const file = path.join(dir, name);
      candidates.push({ file, mtime: statSync(file).mtimeMs });
    }
  }
  if (candidates.length === 0) {
    throw new Error(`no local D1 database under ${base}: run \`npm run dev\` (or \`npm run db:migrate:local\`) in this directory first, or pass --db`);
  }
  candidates.sort((a, b) => b.mtime - a.mtime);
  return candidates[0]!.file;
}

const TABLES = Object.keys(EXPORT_COLUMNS) as ExportTable[];
type Table = ExportTable;

export interface ExportOptions {
  db: string;
  authToken?: string;
  session?: string;
  format: "json" | "csv";
  table: Table;
}

export function parseExportArgs(argv: readonly string[], env: Record<string, string | undefined> = {}, cwd = process.cwd()): ExportOptions {
  const local = argv.includes("--local");
  const flags = parseFlags(
    argv.filter((arg) => arg !== "--local"),
    ["db", "session", "format", "table", "auth-token"],
  );
  if (local && flags.db) throw new Error("--local and --db exclude each other");
  if (local) flags.db = `file:${findLocalD1(cwd)}`;
  if (!flags.db) throw new Error("--db (or --local) is required");
  const format = flags.format ?? "json";
  if (format !== "json" && format !== "csv") throw new Error("--format must be json or csv");
  const table = (flags.table ?? "answers") as Table;
  if (!TABLES.includes(table)) throw new Error(`--table must be one of ${TABLES.join(", ")}`);
  const authToken = flags["auth-token"] ?? env.LIBSQL_AUTH_TOKEN;
  return { db: flags.db, format, table, ...(flags.session ? { session: flags.session } : {}), ...(authToken ? { authToken } : {}) };
}

/** Renders the export; throws `Error("unknown session …")` for a missing --session. */
export async function runExport(options: ExportOptions): Promise<string> {
  const client = createClient({ url: options.db, ...(options.authToken ? { authToken: options.authToken } : {}) });
  try {
    const db = drizzle(client);
    const ids = options.session ? [options.session] : await sessionIds(db);
    const exports: SessionExport[] = [];
    for (const id of ids) {
      const exported = await exportSession(db, id);
      if (!exported) throw new Error(`unknown session ${id}`);
      exports.push(exported);
    }
    if (options.format === "json") {
      return `${JSON.stringify(options.session ? exports[0] : { sessions: exports }, null, 2)}\n`;
    }
    const rows: Record<string, unknown>[] = exports.flatMap((e) =>
      options.table === "sessions" ? [e.session as unknown as Record<string, unknown>] : (e[options.table] as unknown as Record<string, unknown>[]),
    );
    return toCsv(rows, EXPORT_COLUMNS[options.table]);
  } finally {
    client.close();
  }
}

