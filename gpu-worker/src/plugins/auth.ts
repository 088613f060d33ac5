/**
 * Bearer auth with SPEECH_API_KEY on every route but /health (and the docs-free 404s).
 * Constant-time comparison; an empty key disables auth (local development only).
 */
import fp from "fastify-plugin";
import { createHash, timingSafeEqual } from "node:crypto";
import { ApiError } from "../errors.ts";

const OPEN_ROUTES = new Set(["/health"]);

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

export default fp(
  async function bearerAuth(app, opts: { apiKey: string }) {
    if (!opts.apiKey) {
      app.log.warn("SPEECH_API_KEY is empty: every route is open (local development only)");
      return;
    }
    const expected = digest(opts.apiKey);
    app.addHook("onRequest", async function checkBearer(request) {
      const path = request.routeOptions.url ?? request.url.split("?")[0] ?? "";
      if (OPEN_ROUTES.has(path)) return;
      const header = request.headers.authorization ?? "";
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), expected)) throw new ApiError("invalid_api_key");
    });
  },
  { name: "bearer-auth" },
);
