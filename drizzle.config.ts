/**
 * drizzle-kit: generates SQL migrations from the shared schema into `migrations/`, the folder
 * wrangler's `migrations_dir` (D1), the libSQL migrator and the tests all read.
 * Run `npm run db:generate` after changing `shared/src/db/schema.ts`; never edit a migration
 * that has run anywhere, add a new one.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./shared/src/db/schema.ts",
  out: "./migrations",
  breakpoints: true,
});
