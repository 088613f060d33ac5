/**
 * Reaching the session directory (session-directory.ts) from the Worker and the interview
 * object: register a session as it starts, find the interview object of a session, forget it.
 */
import type { Env } from "../env.ts";
import type { SessionDirectory } from "./session-directory.ts";

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
