/**
 * `POST /checkins` (seed §6.2): a self-report outside the WebSocket. Bearer: the session's
 * resume token or the admin token (development: none needed). 404 for an unknown session.
 * A session without consent gets `{"status":"ok","stored":false}` and nothing is written.
 * An `Idempotency-Key` header makes retries safe: the same key stores one row.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { CheckinBody } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import { insertRecords, sessionAccess } from "../storage/repository.ts";
import { withDb } from "../storage/db.ts";
import { authorizeSessionCall } from "./auth.ts";
import { validate } from "./validate.ts";

export const checkins = new Hono<AppEnv>().post("/checkins", validate("json", CheckinBody), async function postCheckin(c) {
  const body = c.req.valid("json");
  const session = await withDb(c.env, (db) => sessionAccess(db, body.sessionId));
  if (!session) throw new HTTPException(404, { message: `Unknown session ${body.sessionId}.`, cause: "not_found" });
  await authorizeSessionCall(c, session.resumeTokenHash);
  if (!session.consented) return c.json({ status: "ok", stored: false });
  const idempotencyKey = c.req.header("Idempotency-Key");
  const key =
    idempotencyKey && /^[\x21-\x7e]{1,128}$/.test(idempotencyKey)
      ? `http:checkin:${session.id}:${idempotencyKey}`
      : `http:${crypto.randomUUID()}`;
  await withDb(c.env, (db) =>
    insertRecords(db, [
      {
        kind: "checkin",
        key,
        sessionId: session.id,
        group: body.group ?? (session.groupName === "control" ? "control" : "treatment"),
        confidence: body.confidence,
        stress: body.stress,
        createdAt: Date.now(),
      },
    ]),
  );
  return c.json({ status: "ok", stored: true });
});
