/**
 * Whether a request carries the admin token, for the detail of the public `GET /health`, by
 * the same rules as the admin routes (routes/access-policy.ts): `Authorization: Bearer
 * <ADMIN_TOKEN>` compared in constant time; with ADMIN_TOKEN unset, nobody in production and
 * anybody in development.
 */
import { isDevelopment, type Env } from "../env.ts";
import { isAdminToken } from "../routes/auth.ts";

export type AdminVerdict = "admin" | "no_token" | "wrong_token" | "malformed" | "not_configured";

/** `header`: the request's Authorization header. */
export async function adminVerdict(env: Env, header: string | undefined): Promise<AdminVerdict> {
  const configured = Boolean(env.ADMIN_TOKEN);
  if (header === undefined) return !configured && isDevelopment(env) ? "admin" : configured ? "no_token" : "not_configured";
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) return "malformed";
  if (!configured) return isDevelopment(env) ? "admin" : "not_configured";
  return (await isAdminToken(env, token)) ? "admin" : "wrong_token";
}
