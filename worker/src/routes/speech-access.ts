/**
 * Who may make a speech call (`POST /stt`, `POST /tts`, `POST /sessions/:id/answers/audio`),
 * decided before any body is read, and reaching the session's interview object.
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";
import { sessionAccess, type SessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { objectIdOf } from "../durable/resume-token.ts";
import type { SessionCheck } from "../durable/interview-session.ts";
import { interviewById, interviewOfToken, type InterviewStub } from "../durable/interview-stub.ts";
import { SESSION_TOKEN_REQUIRED, bearerToken, isAdminToken } from "./auth.ts";
import { fail } from "./http-error.ts";

/** Any route's context: these helpers read only bindings, headers and the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SpeechContext = Context<any, any, any>;

/** Speech routes: an authorised session, when the call names one (set before the body is read). */
export type SpeechEnv = AppEnv & { Variables: { speechSession: SpeechSession | null; sessionPending: boolean } };

/**
 * Middleware, first on every speech route: in production a request with no bearer token is
 * 401, and a malformed Authorization header is 401 everywhere, before any body is read.
 */
export const tokenGate = createMiddleware<AppEnv>(async function tokenGate(c, next) {
  if (bearerToken(c) === null && !isDevelopment(c.env)) {
    throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  }
  await next();
});

/** A session a speech call may use, and its interview object. */
export interface SpeechSession {
  id: string;
  stub: InterviewStub;
}

export type { InterviewStub };

const tokenMismatch = () => fail(403, "forbidden", "The token does not match this session.");

/**
 * Authorises a call for `sessionId` without reading the body. A resume token reaches the
 * object it names (no D1, so a session is usable the moment `session_started` is sent): the
 * object checks the token against its current session; a token of another session is 403, an
 * ended session 409 `session_ended`. The admin token (and, in development, no token) looks the
 * session up in D1: 404 when unknown.
 */
export async function authorizeSession(c: SpeechContext, sessionId: string): Promise<SpeechSession> {
  const token = bearerToken(c);
  if (token === null ? isDevelopment(c.env) : await isAdminToken(c.env, token)) {
    const session = await knownSession(c, sessionId);
    const stub = interviewObject(c.env, session);
    if (!stub) throw fail(409, "session_ended", `Session ${sessionId} has no running interview.`);
    return { id: sessionId, stub };
  }
  if (token === null) throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  const stub = interviewOfToken(c.env, token);
  if (!stub) throw tokenMismatch();
  let check: SessionCheck;
  try {
    check = await stub.checkSession(sessionId, token);
  } catch (error) {
    console.error(`Speech call for session ${sessionId}: the interview object did not answer`, error);
    throw fail(503, "unavailable", "The interview could not be reached; try again.");
  }
  if (check === "session_ended") throw fail(409, "session_ended", "This session has ended.");
  if (check !== "ok") throw tokenMismatch();
  return { id: sessionId, stub };
}

/**
 * A call without a session: the admin token, or none in development. A resume token is let
 * through only when `sessionPending` (its session id comes with the body, /stt's form field)
 * and only if it is shaped like one; it is checked once the body is read.
 */
export async function authorizeSessionless(c: SpeechContext, sessionPending: boolean): Promise<"admin" | "pending"> {
  const token = bearerToken(c);
  if (token === null) {
    if (isDevelopment(c.env)) return "admin";
    throw fail(401, "unauthorized", SESSION_TOKEN_REQUIRED);
  }
  if (await isAdminToken(c.env, token)) return "admin";
  if (sessionPending && objectIdOf(token) !== null) return "pending";
  throw fail(403, "forbidden", "Without a sessionId this route needs the admin token.");
}

export async function knownSession(c: SpeechContext, sessionId: string): Promise<SessionAccess> {
  const session = await withDb(c.env, (db) => sessionAccess(db, sessionId));
  if (!session) throw fail(404, "not_found", `Unknown session ${sessionId}.`);
  return session;
}

/** The session's interview object, or null when the row names none this namespace knows. */
export function interviewObject(env: Env, session: SessionAccess): InterviewStub | null {
  return interviewById(env, session.objectId);
}
