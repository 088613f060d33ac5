/**
 * Bearer credentials: reading `Authorization: Bearer <token>` and recognising the admin
 * token. Who may call which route is decided by the routes' policies (access-policy.ts).
 */
import { HTTPException } from "hono/http-exception";
import type { Context } from "hono";
import type { Env } from "../env.ts";
import { sha256Hex, tokenMatches } from "../durable/resume-token.ts";

/** The bearer token, null when there is no Authorization header; 401 when it is malformed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bearerToken(c: Context<any>): string | null {
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

/** The 401 message of every route a session's resume token (or the admin token) opens. */
export const SESSION_TOKEN_REQUIRED = "This route needs `Authorization: Bearer <resumeToken>` (or the admin token).";
