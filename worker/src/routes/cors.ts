/**
 * CORS for the REST routes from an allow-list: `CORS_ORIGINS` is a comma-separated list of
 * exact origins (`https://app.example.org,http://localhost:5173`), or `*` for any origin.
 * Unset: no cross-origin access, except in development where any origin is allowed.
 * Credentials are never allowed with `*` (the seed's `*` + credentials is unsafe).
 * The WebSocket path is left alone: browsers do not apply CORS to WebSockets.
 */
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { isDevelopment, type AppEnv, type Env } from "../env.ts";

export function allowedOrigins(env: Env): "*" | string[] {
  const list = (env.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim().replace(/\/+$/, ""))
    .filter((o) => o !== "");
  if (list.includes("*")) return "*";
  if (list.length === 0 && isDevelopment(env)) return "*";
  return list;
}

export const restCors = createMiddleware<AppEnv>(async function restCors(c, next) {
  if (c.req.path.startsWith("/ws/")) return next();
  const allowed = allowedOrigins(c.env);
  const middleware = cors({
    origin: (origin) => (allowed === "*" ? "*" : allowed.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
    // /tts reports what it did in headers a browser may only read when they are exposed.
    exposeHeaders: ["Retry-After", "X-TTS-Speed", "X-TTS-Voice", "X-TTS-Cache", "X-Sample-Rate"],
    credentials: allowed !== "*",
    maxAge: 600,
  });
  return middleware(c, next);
});
