/**
 * Calls the Hono app in-process (`app.request`) with the test bindings plus per-call
 * overrides (ADMIN_TOKEN, ENVIRONMENT, a failing DB), so auth modes can be tested without
 * a second wrangler config. Also: waiting until a session's outbox has reached D1.
 */
import { env } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/d1";
import type { PersistRecord } from "@interview/shared";
import { app } from "../../src/app.ts";
import type { Env } from "../../src/env.ts";
import { objectIdOf } from "../../src/durable/resume-token.ts";
import { exportSession, type SessionExport } from "../../src/storage/repository.ts";
import { startInterview } from "./socket-client.ts";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

export function testEnv(overrides: Partial<Env> = {}): Env {
  return { ...(env as unknown as Env), ADMIN_TOKEN, ENVIRONMENT: "production", ...overrides };
}

export async function call(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  return app.request(path, init, testEnv(overrides));
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

export async function asAdmin(path: string, init: RequestInit = {}, overrides: Partial<Env> = {}): Promise<Response> {
  return call(path, { ...init, headers: { ...bearer(ADMIN_TOKEN), ...(init.headers as Record<string, string> | undefined) } }, overrides);
}

export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export async function heldRecords(resumeToken: string, sessionId: string): Promise<PersistRecord[]> {
  const stub = env.INTERVIEW.get(env.INTERVIEW.idFromString(objectIdOf(resumeToken)!));
  return (await stub.records(sessionId)) as unknown as PersistRecord[];
}

/** Waits until D1 holds every record the interview object holds for the session. */
export async function replicated(resumeToken: string, sessionId: string, extra = 0): Promise<SessionExport> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const held = await heldRecords(resumeToken, sessionId);
    const exported = await exportSession(drizzle(env.DB), sessionId);
    const stored = exported ? 1 + exported.answers.length + exported.checkins.length + exported.telemetry.length : 0;
    if (exported && stored === held.length + extra) return exported;
    if (Date.now() > deadline) throw new Error(`replication incomplete: ${stored} of ${held.length + extra}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function failingDb(): D1Database {
  const fail = () => {
    throw new Error("D1 is down (test)");
  };
  return { prepare: fail, batch: fail, exec: fail, dump: fail, withSession: fail } as unknown as D1Database;
}

/** A consented interview whose session row has reached D1, for routes that look it up there. */
export async function replicatedInterview(fields: Record<string, unknown> = {}) {
  const { socket, started, question } = await startInterview({ consent: true, group: "control", ...fields });
  const token = started.resumeToken as string;
  await replicated(token, started.session_id);
  return { socket, id: started.session_id, token, question };
}
