/**
 * A call to a Durable Object from a route. An object that does not answer (overloaded, reset,
 * its code threw) is a dependency down, not a bug: the route answers 503 `unavailable`, like
 * D1 being down (storage/db.ts), never a 500.
 */
import { HTTPException } from "hono/http-exception";

export async function objectCall<T>(what: string, call: () => Promise<T>, message = "The interview service could not be reached; try again."): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof HTTPException) throw error;
    console.error(`${what}: the Durable Object did not answer`, error);
    throw new HTTPException(503, { message, cause: "unavailable" });
  }
}
