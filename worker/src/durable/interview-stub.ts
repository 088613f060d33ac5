/**
 * Reaching an interview object from outside it: by the id stored on the session row, or by
 * the id a resume token starts with. A string that is not an id of this namespace (a forged
 * token, a row from elsewhere) names no object, rather than throwing.
 */
import type { Env } from "../env.ts";
import type { InterviewSession } from "./interview-session.ts";
import { objectIdOf } from "./resume-token.ts";

export type InterviewStub = DurableObjectStub<InterviewSession>;

export function interviewById(env: Env, objectId: string | null | undefined): InterviewStub | null {
  if (!objectId) return null;
  try {
    return env.INTERVIEW.get(env.INTERVIEW.idFromString(objectId));
  } catch {
    return null;
  }
}

export function interviewOfToken(env: Env, token: string): InterviewStub | null {
  return interviewById(env, objectIdOf(token));
}
