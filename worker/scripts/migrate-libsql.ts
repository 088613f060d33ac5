/**
 * Applies `migrations/` (the same SQL wrangler applies to D1) to a libSQL database, using
 * drizzle's migrator and the journal drizzle-kit writes (`migrations/meta/_journal.json`).
 *   npx tsx worker/scripts/migrate-libsql.ts --db file:research.db
 *   npx tsx worker/scripts/migrate-libsql.ts --db libsql://<db>.turso.io --auth-token <token>
 * Closes the client and exits non-zero on failure.
 */
import path from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { parseFlags } from "./cli-args.ts";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../migrations");

export async function migrateLibsql(url: string, authToken?: string): Promise<void> {
  const client = createClient({ url, ...(authToken ? { authToken } : {}) });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    client.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  let flags: Record<string, string>;
  try {
    flags = parseFlags(process.argv.slice(2), ["db", "auth-token"]);
    if (!flags.db) throw new Error("--db is required");
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npx tsx worker/scripts/migrate-libsql.ts --db <libsql url> [--auth-token <token>]`);
    process.exit(2);
  }
  try {
    await migrateLibsql(flags.db!, flags["auth-token"] ?? process.env.LIBSQL_AUTH_TOKEN);
    console.log(`migrated ${flags.db}`);
  } catch (error) {
    console.error(`migration failed: ${(error as Error).message}`);
    process.exit(1);
  }
}
