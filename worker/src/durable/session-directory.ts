/**
 * Where a session lives: one `SessionDirectory` Durable Object per session id
 * (`idFromName(sessionId)`), holding the id of the interview object that ran it. A resume token
 * names its interview object, but the admin token names none, and D1 learns of a session only
 * when the object's outbox is flushed (seconds later, or later still while D1 is down): without
 * this, an admin call about a session that D1 has not received yet would be 404
 * (routes/access-policy.ts looks here after D1).
 *
 * The interview object registers each session as it starts; the entry is removed with the
 * session (`DELETE /sessions/:id`). It holds two ids and nothing about the candidate. The
 * binding is optional: without it (benches that build their own bindings), sessions are found
 * through tokens and D1 only. Reaching it: session-location.ts (kept apart, so routes load in
 * Node without the Workers runtime).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

const OBJECT_ID_KEY = "interviewObjectId";

export class SessionDirectory extends DurableObject<Env> {
  register(interviewObjectId: string): void {
    this.ctx.storage.kv.put(OBJECT_ID_KEY, interviewObjectId);
  }

  interviewObjectId(): string | null {
    return this.ctx.storage.kv.get<string>(OBJECT_ID_KEY) ?? null;
  }

  forget(): void {
    this.ctx.storage.kv.delete(OBJECT_ID_KEY);
  }
}
