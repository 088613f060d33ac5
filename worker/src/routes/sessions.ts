/**
 * `GET /sessions` (admin): newest sessions with answer aggregates, one query, filtered and paged
 * (storage/session-list.ts).
 * `DELETE /sessions/:id` (either: admin or the session's own resume token): removes the
 * session everywhere. The access policy finds the session (access-policy.ts): with the
 * session's token in the object the token names, which knows it before D1 does; with the
 * admin token in D1, or before D1 has it through the session directory. The interview
 * object's copy goes first (its outbox rows, and its state if
 * this is its current session, whose socket is closed with code 4004), so no replication can
 * write the rows back; then every D1 row, in one `db.batch` (all or nothing); then the
 * session's directory entry.
 */
import { Hono } from "hono";
import { SessionIdParam, SessionsQuery } from "@interview/shared/rest";
import { deleteSession } from "../storage/writes.ts";
import { listSessions } from "../storage/session-list.ts";
import { withDb } from "../storage/db.ts";
import { access, grantedSession, type AccessEnv } from "./access-policy.ts";
import { objectCall } from "./object-call.ts";
import { forgetSessionLocation } from "../durable/session-location.ts";
import { validate } from "./validate.ts";
import { callTrace } from "../ops/request-context.ts";

const FORGET_FAILED = "The interview's own copy could not be deleted; nothing was removed. Try again.";

export const sessions = new Hono<AccessEnv>()
  .get("/sessions", access("admin"), validate("query", SessionsQuery), async function getSessions(c) {
    const query = c.req.valid("query");
    return c.json(await withDb(c.env, (db) => listSessions(db, query)));
  })
  .delete("/sessions/:id", access("either", { session: "param" }), validate("param", SessionIdParam), async function removeSession(c) {
    const { id } = c.req.valid("param");
    const { object } = grantedSession(c, id);
    // The object first: once its outbox rows are gone nothing can replicate them back.
    if (object) await objectCall(`DELETE /sessions/${id}`, () => object.forgetSession(id, callTrace()), FORGET_FAILED);
    await withDb(c.env, (db) => deleteSession(db, id));
    // Last: until the rows are gone, a retry must still find the session.
    await objectCall(`DELETE /sessions/${id} (session directory)`, () => forgetSessionLocation(c.env, id));
    return c.json({ status: "ok", deleted: id });
  });
