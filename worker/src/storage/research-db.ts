/**
 * The research database as the storage modules see it: a drizzle database in async mode, so
 * the same code runs on D1 (`drizzle-orm/d1`, the Worker) and libSQL (`drizzle-orm/libsql`,
 * the export CLI and the Node tests). The queries live by purpose beside this file:
 * `writes.ts` (idempotent inserts, comments, deletion), `reads.ts` (what routes answer with)
 * and `metrics-aggregates.ts` (`/metrics/summary`'s sums). Rows are mapped to the export shape
 * in one place (`export-rows.ts`).
 */
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";

/**
 * Any drizzle SQLite database in async mode that can send several statements in one round
 * trip: D1 or libSQL. `batch` runs them as one transaction on both.
 */
export type ResearchDb = BaseSQLiteDatabase<"async", unknown> & {
  batch<U extends BatchItem<"sqlite">, T extends Readonly<[U, ...U[]]>>(batch: T): Promise<BatchResponse<T>>;
};
