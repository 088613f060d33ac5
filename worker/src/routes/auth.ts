/**
 * Bearer-token checks for the REST routes.
 *
 * - Admin routes take `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 *   Without ADMIN_TOKEN configured they answer 503 in production; in development
 *   (ENVIRONMENT=development) they are open.
 * - Session routes (`POST /checkins`, `DELETE /sessions/:id`) also take the session's own
 *   resume token, checked against the SHA-256 hash stored with the session.
 * - In development a request with no token at all is accepted (seed clients send none);
 *   a wrong token is refused everywhere (403), a missing one in production is 401.
 */
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { Context } from "hono";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";
import { sha256Hex, tokenMatches } from "../durable/resume-token.ts";

/** The bearer token, null when there is no Authorization header; 401 when it is malformed. */
export function bearerToken(c: Context<AppEnv>): string | null {
  const header = c.req.header("Authorization");
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HTTPException(401, { message: "Authorization must be `Bearer <token>`.", cause: "unauthorized" });
  return match[1]!;
}

/**
 * The admin token, compared in constant time whatever the lengths: both sides are SHA-256
 * hashed, then compared by the resume-token check's constant-time digest comparison.
 */
export async function isAdminToken(env: Env, token: string): Promise<boolean> {
  if (env.ADMIN_TOKEN === undefined || env.ADMIN_TOKEN === "") return false;
  return tokenMatches(token, await sha256Hex(env.ADMIN_TOKEN));
}

/** Guards metrics, export, sessions and comments. */
export const requireAdmin = createMiddleware<AppEnv>(async function requireAdmin(c, next) {
  const token = bearerToken(c);
  const configured = c.env.ADMIN_TOKEN !== undefined && c.env.ADMIN_TOKEN !== "";
  if (!configured && !isDevelopment(c.env)) {
    throw new HTTPException(503, { message: "ADMIN_TOKEN is not configured on this server.", cause: "unavailable" });
  }
  if (token === null) {
    // Development opens the research routes only while no admin token is set: setting one
    // is how a developer asks for the production behaviour.
    if (isDevelopment(c.env) && !configured) return next();
    throw new HTTPException(401, { message: "This route needs `Authorization: Bearer <ADMIN_TOKEN>`.", cause: "unauthorized" });
  }
  if (!configured || !(await isAdminToken(c.env, token))) {
    throw new HTTPException(403, { message: "The token is not the admin token.", cause: "forbidden" });
  }
  return next();
});

/** The 401 message of every route a session's resume token (or the admin token) opens. */
export const SESSION_TOKEN_REQUIRED = "This route needs `Authorization: Bearer <resumeToken>` (or the admin token).";

/**
 * Admin, or the session's own resume token. Call after the session is known to exist;
 * `resumeTokenHash` is what the session row stores.
 */
export async function authorizeSessionCall(c: Context<AppEnv>, resumeTokenHash: string | null): Promise<void> {
  const token = bearerToken(c);
  if (token === null) {
    if (isDevelopment(c.env)) return;
    throw new HTTPException(401, {
      message: SESSION_TOKEN_REQUIRED,
      cause: "unauthorized",
    });
  }
  if (await isAdminToken(c.env, token)) return;
  if (resumeTokenHash !== null && (await tokenMatches(token, resumeTokenHash))) return;
  throw new HTTPException(403, { message: "The token does not match this session.", cause: "forbidden" });
}
