/**
 * Who may call what, decided in one place. Every route declares its policy with `access(...)`
 * (README, "HTTP routes", lists them; test/workerd/access-policy.test.ts checks that list
 * against the routes registered here):
 *
 * - `public`: anyone.
 * - `admin`: `Authorization: Bearer <ADMIN_TOKEN>`.
 * - `session`: the resume token of the session the request names.
 * - `either`: the session's resume token or the admin token. A request that names no session
 *   (`/stt`, `/tts` without a `sessionId`) needs the admin token.
 *
 * The credentials are checked before any body is read: a missing token is 401, a malformed
 * Authorization header 401, a token that is neither the admin token nor shaped like a resume
 * token 403. The session is then found and the token checked against it: first by the
 * interview object the resume token names (no D1, so a session is usable the moment
 * `session_started` is sent), then by the object's outbox backlog and D1's session row (a
 * session the object no longer runs). The admin token finds the session in D1, or, before D1
 * has it, through the session directory (durable/session-directory.ts). An unknown session is
 * 404; a token of another session 403.
 *
 * `ADMIN_TOKEN` unset: `admin` routes answer 503 in production. Development
 * (`ENVIRONMENT=development`) accepts a request without any Authorization header on `either`
 * routes (seed clients send none), and on `admin` routes while `ADMIN_TOKEN` is unset.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { PersistRecord } from "@interview/shared";
import { SessionIdParam } from "@interview/shared/rest";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";
import { tokenMatches } from "../durable/resume-token.ts";
import { interviewById, interviewOfToken, type InterviewStub } from "../durable/interview-stub.ts";
import { locateSession } from "../durable/session-location.ts";
import { sessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { SESSION_TOKEN_REQUIRED, bearerToken, isAdminToken } from "./auth.ts";
import { objectCall } from "./object-call.ts";

export type AccessPolicy = "public" | "admin" | "session" | "either";

/** Where a route's session id is: the path's `:id`, `?sessionId=`, the JSON body's or the multipart form's `sessionId`. */
export type SessionSource = "param" | "query" | "json" | "form";

/** Who is calling, once the credentials are checked. */
export type Caller =
  | { kind: "anyone" }
  | { kind: "admin" }
  /** No token, in development: let in where the admin would be. */
  | { kind: "development" }
  | { kind: "resume_token"; token: string; object: InterviewStub };

/** The session a call may use, once the policy has found it and checked the token against it. */
export interface GrantedSession {
  id: string;
  /**
   * The interview object that holds the session: the one that runs it, or that ran it and may
   * still hold its records; null when none is known (a D1 row without an object id).
   */
  object: InterviewStub | null;
  /** What the object said of it: `ok` running, `session_ended`, `not_found` no longer its interview; null when not asked (admin). */
  state: "ok" | "session_ended" | "not_found" | null;
}

export interface Access {
  policy: AccessPolicy;
  caller: Caller;
  /** Set before the handler runs when the route names the session in its path or query; by `grantSession` for a body's. */
  session: GrantedSession | null;
}

export type AccessEnv = AppEnv & { Variables: { access: Access } };

/** A route's middleware, marked with its policy so the route table can be read back (`policyOf`). */
export type AccessMiddleware = MiddlewareHandler<AccessEnv> & { readonly accessPolicy: AccessPolicy; readonly sessionSources: readonly SessionSource[] };

export interface AccessOptions {
  /** Where the session id is; the first source that has one wins. */
  session?: SessionSource | readonly SessionSource[];
  /** For `json` and `form`: the body limit, applied once the credentials are checked. */
  bodyLimit?: MiddlewareHandler;
}

const sessionIdField = SessionIdParam.shape.id;

export function access(policy: AccessPolicy, options: AccessOptions = {}): AccessMiddleware {
  const sources: readonly SessionSource[] = options.session === undefined ? [] : typeof options.session === "string" ? [options.session] : options.session;
  const middleware = createMiddleware<AccessEnv>(async function accessPolicy(c, next) {
    const caller = await callerOf(c, policy, sources);
    c.set("access", { policy, caller, session: null });
    if (policy === "public" || policy === "admin") return next();
    if (sources.includes("param")) return grantThenNext(c, c.req.param("id") ?? "", next);
    const query = sources.includes("query") ? c.req.query("sessionId")?.trim() || undefined : undefined;
    if (query !== undefined) {
      const parsed = sessionIdField.safeParse(query);
      if (!parsed.success) throw new HTTPException(400, { message: `sessionId: ${parsed.error.issues[0]?.message}`, cause: "validation_failed" });
      return grantThenNext(c, parsed.data, next);
    }
    // A session id in the body is granted by the handler once the body is validated
    // (`grantSession`); the body limit comes after the credentials, so a caller without them
    // never has a byte read.
    if (sources.includes("json") || sources.includes("form")) return options.bodyLimit ? options.bodyLimit(c, next) : next();
    requireSessionless(c);
    return next();
  });
  return Object.assign(middleware, { accessPolicy: policy, sessionSources: sources });
}

/** The policy a route handler declares, or undefined for any other handler. */
export function policyOf(handler: unknown): AccessPolicy | undefined {
  return (handler as Partial<AccessMiddleware> | null)?.accessPolicy;
}

/**
 * Finds the session `sessionId` for this caller and checks the token against it; the route's
 * `access` then carries it. Routes whose session id comes with the body (`json`, `form`) call
 * it once the body is validated; a path's or query's is granted by `access` before the handler
 * runs.
 */
export async function grantSession(c: Context<AccessEnv>, sessionId: string): Promise<GrantedSession> {
  const current = c.get("access");
  const id = sessionIdField.safeParse(sessionId);
  if (!id.success) throw new HTTPException(400, { message: `sessionId: ${id.error.issues[0]?.message ?? "is invalid"}`, cause: "validation_failed" });
  const session = await findSession(c, current.caller, current.policy, id.data);
  c.set("access", { ...current, session });
  return session;
}

/** The session `access` granted for this request; `sessionId` must be the one it checked. */
export function grantedSession(c: Context<AccessEnv>, sessionId: string): GrantedSession {
  const session = c.get("access").session;
  if (!session || session.id !== sessionId) {
    // A route whose schema reads the session id differently from `access`: a bug, never a grant.
    throw new Error(`access: session ${sessionId} was not granted for ${c.req.method} ${c.req.path}`);
  }
  return session;
}

/** A request that names no session: the admin's (or, in development, a token-less caller's) only. */
export function requireSessionless(c: Context<AccessEnv>): void {
  if (c.get("access").caller.kind === "resume_token") {
    throw new HTTPException(403, { message: "Without a sessionId this route needs the admin token.", cause: "forbidden" });
  }
}

async function grantThenNext(c: Context<AccessEnv>, sessionId: string, next: () => Promise<void>): Promise<void> {
  // An invalid id is left to the route's validator, which refuses it (400) with the same schema.
  if (sessionIdField.safeParse(sessionId).success) await grantSession(c, sessionId);
  await next();
}

async function callerOf(c: Context<AccessEnv>, policy: AccessPolicy, sources: readonly SessionSource[]): Promise<Caller> {
  if (policy === "public") return { kind: "anyone" };
  const token = bearerToken(c);
  if (policy === "admin") return adminCaller(c.env, token);
  if (token === null) {
    if (isDevelopment(c.env)) return { kind: "development" };
    throw new HTTPException(401, { message: policy === "session" ? RESUME_TOKEN_REQUIRED : SESSION_TOKEN_REQUIRED, cause: "unauthorized" });
  }
  if (policy === "either" && (await isAdminToken(c.env, token))) return { kind: "admin" };
  const object = interviewOfToken(c.env, token);
  if (!object || sources.length === 0) {
    throw new HTTPException(403, {
      message: policy === "session" ? "The token is not a session's resume token." : "The token is neither the admin token nor a session's resume token.",
      cause: "forbidden",
    });
  }
  return { kind: "resume_token", token, object };
}

const RESUME_TOKEN_REQUIRED = "This route needs `Authorization: Bearer <resumeToken>`.";

async function adminCaller(env: Env, token: string | null): Promise<Caller> {
  const configured = env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN !== "";
  if (!configured && !isDevelopment(env)) {
    throw new HTTPException(503, { message: "ADMIN_TOKEN is not configured on this server.", cause: "unavailable" });
  }
  if (token === null) {
    // Development opens the admin routes only while no admin token is set: setting one is how
    // a developer asks for the production behaviour.
    if (isDevelopment(env) && !configured) return { kind: "development" };
    throw new HTTPException(401, { message: "This route needs `Authorization: Bearer <ADMIN_TOKEN>`.", cause: "unauthorized" });
  }
  if (!configured || !(await isAdminToken(env, token))) {
    throw new HTTPException(403, { message: "The token is not the admin token.", cause: "forbidden" });
  }
  return { kind: "admin" };
}

const tokenMismatch = () => new HTTPException(403, { message: "The token does not match this session.", cause: "forbidden" });
const unknownSession = (id: string) => new HTTPException(404, { message: `Unknown session ${id}.`, cause: "not_found" });

async function findSession(c: Context<AccessEnv>, caller: Caller, policy: AccessPolicy, id: string): Promise<GrantedSession> {
  if (caller.kind === "anyone") throw new Error(`access: a ${policy} route cannot grant a session`);
  if (caller.kind !== "resume_token") return findForAdmin(c.env, id);
  const { token, object } = caller;
  const state = await objectCall(`session ${id}`, () => object.checkSession(id, token));
  if (state === "forbidden") throw tokenMismatch();
  if (state !== "not_found") return { id, object, state };
  // Not the interview the object runs now: an earlier one of it, still in its outbox or in D1.
  const backlog = await objectCall(`session ${id}`, async (): Promise<PersistRecord[]> => await object.backlog(id));
  const held = backlog.find((r) => r.kind === "session");
  const tokenHash = held?.kind === "session" ? held.resumeTokenHash : (await withDb(c.env, (db) => sessionAccess(db, id)))?.resumeTokenHash;
  if (tokenHash === undefined) {
    throw new HTTPException(403, { message: `This token's interview holds no session ${id}: it was deleted, or the token is another session's.`, cause: "forbidden" });
  }
  if (tokenHash === null || !(await tokenMatches(token, tokenHash))) throw tokenMismatch();
  return { id, object, state };
}

/**
 * The admin token names no object: the session is looked up in D1, else in the session
 * directory, whose object is asked whether it still holds the session's records (D1 has not
 * received them yet). D1 is asked again after that, in case the object flushed them meanwhile.
 */
async function findForAdmin(env: Env, id: string): Promise<GrantedSession> {
  const inD1 = async () => (await withDb(env, (db) => sessionAccess(db, id))) ?? null;
  const row = await inD1();
  if (row) return { id, object: interviewById(env, row.objectId), state: null };
  const object = interviewById(env, await objectCall(`session directory for ${id}`, () => locateSession(env, id)));
  if (object) {
    const backlog = await objectCall(`session ${id}`, async (): Promise<PersistRecord[]> => await object.backlog(id));
    if (backlog.some((r) => r.kind === "session")) return { id, object, state: null };
  }
  const late = await inD1();
  if (late) return { id, object: interviewById(env, late.objectId), state: null };
  throw unknownSession(id);
}
