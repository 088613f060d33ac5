/**
 * The request a piece of code is serving, for log lines far from the route: its id (the
 * Worker's `x-request-id`, passed on to the speech worker and to the interview object) and
 * the session it concerns, once known. Carried by AsyncLocalStorage (nodejs_compat), so the
 * speech client and the fallback log read it without every call site passing it along.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestContext {
  requestId: string | null;
  /** Set when the request names a session (path, query) or code serving it learns one. */
  sessionId: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` as part of the request `context` (a fresh copy, so one request never sees another's). */
export function withRequestContext<T>(context: RequestContext, work: () => T): T {
  return storage.run({ ...context }, work);
}

export function currentRequestId(): string | null {
  return storage.getStore()?.requestId ?? null;
}

export function currentSessionId(): string | null {
  return storage.getStore()?.sessionId ?? null;
}

/** `{requestId}` for a log line, or nothing outside a request (an alarm, a test calling code directly). */
export function requestIdField(): { requestId?: string } {
  const requestId = currentRequestId();
  return requestId ? { requestId } : {};
}

/**
 * What a Worker route passes as the last argument of an interview object's RPC method, so the
 * object's log lines while serving the call (a model fallback during an audio answer) name the
 * route's request. RPC carries arguments, not the caller's AsyncLocalStorage.
 */
export interface CallTrace {
  requestId: string | null;
}

/** The current request's trace, for an RPC call made while serving it. */
export function callTrace(): CallTrace {
  return { requestId: currentRequestId() };
}

/** Notes the session the current request concerns (the first one named wins). */
export function noteSession(sessionId: string | null | undefined): void {
  const context = storage.getStore();
  if (context && sessionId && context.sessionId === null) context.sessionId = sessionId;
}

/**
 * The request id header this service accepts from a caller or sends on: letters, digits,
 * `_`, `-`, `=` (what hono's requestId accepts), at most 128 characters.
 */
export const REQUEST_ID_HEADER = "x-request-id";
export const REQUEST_ID_PATTERN = /^[\w\-=]{1,128}$/;

/** A request's sane x-request-id, or null (what the interview object keeps with a socket). */
export function requestIdOf(request: Request): string | null {
  const id = request.headers.get(REQUEST_ID_HEADER);
  return id !== null && REQUEST_ID_PATTERN.test(id) ? id : null;
}
