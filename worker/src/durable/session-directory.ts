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
 * through tokens and D1 only.
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

type DirectoryEnv = Env & { SESSION_DIRECTORY?: DurableObjectNamespace<SessionDirectory> };

function entryFor(env: Env, sessionId: string): DurableObjectStub<SessionDirectory> | null {
  const namespace = (env as DirectoryEnv).SESSION_DIRECTORY;
  return namespace ? namespace.get(namespace.idFromName(sessionId)) : null;
}

/**
 * Records where a new session lives. Never fails a start: a directory that does not answer
 * leaves the session findable by its token, and by the admin once D1 has it.
 */
export async function registerSession(env: Env, sessionId: string, interviewObjectId: string): Promise<void> {
  try {
    await entryFor(env, sessionId)?.register(interviewObjectId);
  } catch (error) {
    console.error(`session directory: session ${sessionId} not registered; the admin finds it once D1 has it`, error);
  }
}

/** The id of the interview object that ran `sessionId`, null when the directory has none (or there is no directory). Throws when it does not answer. */
export async function locateSession(env: Env, sessionId: string): Promise<string | null> {
  const entry = entryFor(env, sessionId);
  return entry ? await entry.interviewObjectId() : null;
}

/** Removes the session's entry; throws when the directory does not answer. */
export async function forgetSessionLocation(env: Env, sessionId: string): Promise<void> {
  await entryFor(env, sessionId)?.forget();
}
