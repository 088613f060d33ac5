/**
 * The research database for a request: drizzle over the D1 binding, built per call as D1
 * bindings are. `withDb` turns a database failure into a 503 `{code: "unavailable"}` (logged),
 * so a D1 outage never reads as a bug or as "not found".
 */
import { drizzle } from "drizzle-orm/d1";
import { HTTPException } from "hono/http-exception";
import type { Env } from "../env.ts";
import type { ResearchDb } from "./research-db.ts";

export function researchDb(env: Env): ResearchDb {
  return drizzle(env.DB);
}

export async function withDb<T>(env: Env, work: (db: ResearchDb) => Promise<T>): Promise<T> {
  try {
    return await work(researchDb(env));
  } catch (error) {
    if (error instanceof HTTPException) throw error;
    console.error("research database call failed", error);
    throw new HTTPException(503, { message: "The research database is unavailable; try again shortly.", cause: "unavailable" });
  }
}
