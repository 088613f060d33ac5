/**
 * Whether the request carries the admin token, for the operator routes (`GET /ops`, the
 * detail of `GET /health`), by the same rules as every admin route: `Authorization: Bearer
 * <ADMIN_TOKEN>` compared in constant time; with ADMIN_TOKEN unset, nobody in production and
 * anybody in development.
 */
import type { Context } from "hono";
import { isDevelopment, type AppEnv } from "../env.ts";
import { isAdminToken } from "../routes/auth.ts";

export type AdminVerdict = "admin" | "no_token" | "wrong_token" | "malformed" | "not_configured";

export async function adminVerdict(c: Context<AppEnv>): Promise<AdminVerdict> {
  const configured = Boolean(c.env.ADMIN_TOKEN);
  const header = c.req.header("Authorization");
  if (header === undefined) return !configured && isDevelopment(c.env) ? "admin" : configured ? "no_token" : "not_configured";
  const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!token) return "malformed";
  if (!configured) return isDevelopment(c.env) ? "admin" : "not_configured";
  return (await isAdminToken(c.env, token)) ? "admin" : "wrong_token";
}
