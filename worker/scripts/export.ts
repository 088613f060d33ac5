/**
 * `npm run export -- (--db <libsql url> | --local) [--session <id>] [--format json|csv] [--table …]`:
 * researchers' export from a libSQL database (a local file, the local D1 of `npm run dev`, or
 * Turso), to stdout. `--help`/`-h` prints the usage. Exit codes: 0 done (or help), 1 failure
 * (unknown session, unreachable database), 2 bad arguments.
 */
import { USAGE, parseExportArgs, runExport, wantsHelp, type ExportOptions } from "./export-lib.ts";

if (wantsHelp(process.argv.slice(2))) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

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
