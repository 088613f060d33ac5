/**
 * `POST /comments` and `GET /comments/:id` (admin): researchers' notes on a session, stored as
 * telemetry `comment` or `assignment` rows (seed §6.6–6.7) with the session's group; listed
 * oldest first. 404 for an unknown session.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { CommentBody, SessionIdParam } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import { addComment } from "../storage/writes.ts";
import { listComments, sessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { access } from "./access-policy.ts";
import { validate } from "./validate.ts";

export const comments = new Hono<AppEnv>()
  .post("/comments", access("admin"), validate("json", CommentBody), async function postComment(c) {
    const body = c.req.valid("json");
    const session = await withDb(c.env, (db) => sessionAccess(db, body.sessionId));
    if (!session) throw new HTTPException(404, { message: `Unknown session ${body.sessionId}.`, cause: "not_found" });
    await withDb(c.env, (db) =>
      addComment(db, {
        sessionId: session.id,
        turn: body.turn,
        text: body.text,
        author: body.author ?? null,
        kind: body.kind,
        groupName: session.groupName,
        key: `http:${crypto.randomUUID()}`,
        createdAt: Date.now(),
      }),
    );
    return c.json({ status: "ok" });
  })
  .get("/comments/:id", access("admin"), validate("param", SessionIdParam), async function getComments(c) {
    const { id } = c.req.valid("param");
    const items = await withDb(c.env, async (db) => {
      if (!(await sessionAccess(db, id))) return null;
      return listComments(db, id);
    });
    if (!items) throw new HTTPException(404, { message: `Unknown session ${id}.`, cause: "not_found" });
    return c.json({ items });
  });
