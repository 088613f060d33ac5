/**
 * `GET /sessions?limit=` (admin): newest sessions with answer aggregates, one query.
 * `DELETE /sessions/:id` (admin or the session's own resume token): removes the session's
 * rows from D1 and the interview Durable Object's copy (its outbox rows, and its state if
 * this is the object's current session, whose socket is closed with code 4004). With the
 * session's token the object is asked first, so a session D1 has not received yet (its
 * records wait up to 5 s for the flush) is deleted too.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { SessionIdParam, SessionsQuery } from "@interview/shared/rest";
import type { AppEnv, Env } from "../env.ts";
import { deleteSession } from "../storage/writes.ts";
import { listSessions, sessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { authorizeSessionCall, bearerToken, requireAdmin } from "./auth.ts";
import { validate } from "./validate.ts";
import { interviewById, interviewOfToken } from "../durable/interview-stub.ts";
import { objectIdOf } from "../durable/resume-token.ts";

export const sessions = new Hono<AppEnv>()
  .get("/sessions", requireAdmin, validate("query", SessionsQuery), async function getSessions(c) {
    const { limit } = c.req.valid("query");
    const items = await withDb(c.env, (db) => listSessions(db, limit));
    return c.json({ items });
  })
  .delete("/sessions/:id", validate("param", SessionIdParam), async function removeSession(c) {
    const { id } = c.req.valid("param");
    // The session's own token names its object, which knows the session before D1 does.
    const token = bearerToken(c);
    const own = token ? interviewOfToken(c.env, token) : null;
    if (own && token && ["ok", "session_ended"].includes(await own.checkSession(id, token))) {
      await forgetInObject(c.env, c.env.INTERVIEW.idFromString(objectIdOf(token)!).toString(), id);
      await withDb(c.env, (db) => deleteSession(db, id));
      return c.json({ status: "ok", deleted: id });
    }
    const session = await withDb(c.env, (db) => sessionAccess(db, id));
    if (!session) throw new HTTPException(404, { message: `Unknown session ${id}.`, cause: "not_found" });
    await authorizeSessionCall(c, session.resumeTokenHash);
    // The object first: once its outbox rows are gone nothing can replicate them back.
    if (session.objectId) await forgetInObject(c.env, session.objectId, id);
    await withDb(c.env, (db) => deleteSession(db, id));
    return c.json({ status: "ok", deleted: id });
  });

async function forgetInObject(env: Env, objectId: string, sessionId: string): Promise<void> {
  const stub = interviewById(env, objectId);
  if (!stub) return; // Not an id of this namespace: there is no copy to delete.
  try {
    await stub.forgetSession(sessionId);
  } catch (error) {
    console.error(`DELETE /sessions/${sessionId}: the interview object did not answer`, error);
    throw new HTTPException(503, {
      message: "The interview's own copy could not be deleted; nothing was removed. Try again.",
      cause: "unavailable",
    });
  }
}
