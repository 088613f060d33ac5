/**
 * Request ids and one JSON log line per request.
 *
 * The id is the caller's `x-request-id` when it is sane (hono's `requestId`: `[\w-=]`, at most
 * 128 characters), else Cloudflare's `cf-ray` (what the dashboard and `wrangler tail` show for
 * the request), else a random UUID. It is echoed in the reply's `X-Request-Id`, sent on to the
 * speech worker (which logs it as its own request id) and to the interview object with the
 * socket upgrade (whose log lines for that socket carry it).
 *
 * The line, on console.log: `{"event":"request","requestId","method","path","status","ms",
 * "sessionId"}`. The path only, never the query (resume tokens may ride in it).
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import type { AppEnv } from "../env.ts";
import { REQUEST_ID_HEADER, withRequestContext, currentSessionId, type RequestContext } from "./request-context.ts";

export const requestIds = requestId({
  headerName: REQUEST_ID_HEADER,
  limitLength: 128,
  generator: (c) => {
    const ray = c.req.header("cf-ray");
    return ray && /^[\w-]{1,128}$/.test(ray) ? ray : crypto.randomUUID();
  },
});

export interface RequestLine {
  event: "request";
  requestId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  sessionId: string | null;
}

/** After `requestIds`: runs the request in its context and logs its line when it is answered. */
export const requestLog = createMiddleware<AppEnv>(async function requestLog(c, next) {
  const started = Date.now();
  carryIdToObject(c);
  const context: RequestContext = { requestId: c.get("requestId"), sessionId: sessionNamedBy(c) };
  let sessionId: string | null = context.sessionId;
  try {
    await withRequestContext(context, async () => {
      await next();
      sessionId = currentSessionId();
    });
  } finally {
    const line: RequestLine = {
      event: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      // Workers' clock moves only across I/O: this is the time spent waiting, not CPU time.
      ms: Date.now() - started,
      sessionId,
    };
    console.log(JSON.stringify(line));
  }
});

/**
 * A WebSocket upgrade is handed to the interview object as it came (`stub.fetch(c.req.raw)`):
 * when the caller sent no usable id, the request is swapped for a copy that carries the one
 * chosen here, so the object's log lines for the socket name the same id. Upgrades have no
 * body, so the copy costs nothing and loses nothing.
 */
function carryIdToObject(c: Context<AppEnv>): void {
  const id = c.get("requestId");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket" || c.req.header(REQUEST_ID_HEADER) === id) return;
  const headers = new Headers(c.req.raw.headers);
  headers.set(REQUEST_ID_HEADER, id);
  c.req.raw = new Request(c.req.raw, { headers });
}

/** `/sessions/:id/...`, `/comments/:id`, `/export/session/:id`, or `?session=` / `?sessionId=`; null otherwise. */
function sessionNamedBy(c: Context<AppEnv>): string | null {
  const inPath = /^\/(?:sessions|comments|export\/session)\/([^/]+)/.exec(c.req.path)?.[1];
  const named = inPath ?? c.req.query("session") ?? c.req.query("sessionId") ?? null;
  return named && /^[\w-]{1,64}$/.test(named) ? named : null;
}
