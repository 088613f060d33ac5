/**
 * `npm run export -- --db <libsql url> [--session <id>] [--format json|csv] [--table …]`:
 * researchers' export from a libSQL database (a local file or Turso), to stdout. Exit codes:
 * 0 done, 1 failure (unknown session, unreachable database), 2 bad arguments.
 */
import { USAGE, parseExportArgs, runExport, type ExportOptions } from "./export-lib.ts";

let options: ExportOptions;
try {
  options = parseExportArgs(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
try {
  // A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  process.stdout.write(await runExport(options));
} catch (error) {
  console.error(`export failed: ${(error as Error).message}`);
  process.exit(1);
}
