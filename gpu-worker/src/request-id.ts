/**
 * Request ids: the caller's `x-request-id` (the Worker sends its own) when it is sane
 * (letters, digits, `_`, `-`, `=`; at most 128 characters), else a random UUID. Fastify logs it
 * as `requestId` on every line of the request (`requestIdOptions`, given to Fastify in
 * server.ts), the reply echoes it, and each inference task carries it into its worker thread
 * (`traced`, read through AsyncLocalStorage), whose log line for the task names it too. So one
 * id follows a request from the Worker's log through this service's HTTP and thread logs.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { LogController, type FastifyInstance, type FastifyServerOptions } from "fastify";
import fp from "fastify-plugin";

export const REQUEST_ID_HEADER = "x-request-id";
const SANE_ID = /^[\w\-=]{1,128}$/;

/** The caller's id if it is sane, else a new one. */
export function requestIdFrom(headers: Record<string, string | string[] | undefined>): string {
  const given = headers[REQUEST_ID_HEADER];
  return typeof given === "string" && SANE_ID.test(given) ? given : randomUUID();
}

/** Fastify server options: ids from `requestIdFrom`, logged as `requestId` (the Worker's name for it). */
export const requestIdOptions = {
  requestIdHeader: false,
  logController: new LogController({ requestIdLogLabel: "requestId" }),
  genReqId: (request) => requestIdFrom(request.headers),
} satisfies Pick<FastifyServerOptions, "requestIdHeader" | "logController" | "genReqId">;

const current = new AsyncLocalStorage<string>();

/** The id of the request being served, or null outside one (start-up, warm-up). */
export function currentRequestId(): string | null {
  return current.getStore() ?? null;
}

/** What an inference task carries besides its work: the request it serves. */
export interface Traced {
  requestId?: string | null;
}

/** The task with the current request's id, for the worker thread's log line. */
export function traced<T extends object>(task: T): T & Traced {
  return { ...task, requestId: currentRequestId() };
}

/** Echoes the id in the reply and runs the rest of the request in its context. */
export default fp(
  async function requestIds(app: FastifyInstance) {
    app.addHook("onRequest", (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      current.run(request.id, done);
    });
  },
  { name: "request-ids" },
);
