/**
 * What a speech call (`POST /stt`, `POST /tts`, `POST /sessions/:id/answers/audio`) needs of
 * the session it names, beyond the access policy (access-policy.ts), which has already
 * checked the token against the session before any upload is read: the interview must still
 * be running, since the call reports to it.
 */
import { HTTPException } from "hono/http-exception";
import type { InterviewStub } from "../durable/interview-stub.ts";
import type { AccessEnv, GrantedSession } from "./access-policy.ts";

/** Speech routes: the access policy's variables. */
export type SpeechEnv = AccessEnv;

/** A session a speech call may use, and its interview object. */
export interface SpeechSession {
  id: string;
  stub: InterviewStub;
}

export type { InterviewStub };

/**
 * The granted session as a speech call uses it: 409 `session_ended` when it has ended or its
 * object runs another interview now (the admin token is not checked against the object: the
 * object refuses such calls itself).
 */
export function speechSession(granted: GrantedSession): SpeechSession {
  if (granted.state === "session_ended") throw new HTTPException(409, { message: "This session has ended.", cause: "session_ended" });
  if (!granted.object || granted.state === "not_found") {
    throw new HTTPException(409, { message: `Session ${granted.id} has no running interview.`, cause: "session_ended" });
  }
  return { id: granted.id, stub: granted.object };
}
