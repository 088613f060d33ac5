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
import { exportSession, type SessionExport } from "../../src/storage/reads.ts";
import { startInterview } from "./socket-client.ts";
import { recordedBy } from "./recorded.ts";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";

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

/** Everything the interview recorded for the session (flushed to D1 first). */
export async function heldRecords(resumeToken: string, sessionId: string): Promise<PersistRecord[]> {
  return recordedBy(interviewOfToken(resumeToken), sessionId);
}

/** Flushes the interview's outbox to D1 (the timer would take seconds) and exports the session. */
export async function replicated(resumeToken: string, sessionId: string): Promise<SessionExport> {
  const waiting = await interviewOfToken(resumeToken).flush();
  if (waiting !== 0) throw new Error(`replication incomplete: ${waiting} rows still wait for D1`);
  const exported = await exportSession(drizzle(env.DB), sessionId);
  if (!exported) throw new Error(`session ${sessionId} is not in D1`);
  return exported;
}

function interviewOfToken(resumeToken: string): InterviewStub {
  return env.INTERVIEW.get(env.INTERVIEW.idFromString(objectIdOf(resumeToken)!));
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
