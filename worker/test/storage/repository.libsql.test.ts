/** The repository suite on libSQL (a temporary `file:` database), migrated from `migrations/`. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, beforeAll } from "vitest";
import type { ResearchDb } from "../../src/storage/research-db.ts";
import { repositorySuite } from "./repository-suite.ts";

const dir = mkdtempSync(path.join(tmpdir(), "repo-libsql-"));
let client: Client;
let db: ResearchDb;

beforeAll(async () => {
  client = createClient({ url: `file:${path.join(dir, "test.db")}` });
  const libsql = drizzle(client);
  await migrate(libsql, { migrationsFolder: path.resolve(import.meta.dirname, "../../../migrations") });
  db = libsql;
});

afterAll(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

repositorySuite("libSQL", () => db);
