/**
 * `POST /checkins` (seed §6.2): a self-report outside the WebSocket. Access `either`: the
 * session's resume token or the admin token (development: none needed), checked by the access
 * policy (access-policy.ts, once the body is valid), which also answers 404 for an unknown session. A session without
 * consent gets `{"status":"ok","stored":false}` and nothing is written. An `Idempotency-Key`
 * header makes retries safe: the same key stores one row.
 *
 * While the session's interview object runs it, the check-in goes through the object, into
 * its outbox like the socket's check-ins: it works right after `session_started` and while D1
 * is down. Otherwise (an object that no longer runs the session) it is written to D1 directly;
 * a session that has not reached D1 yet is 503 with Retry-After. A session holding
 * `SESSION_RECORDS_MAX` records already is 409 `storage_full`.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "hono/body-limit";
import { SESSION_RECORDS_MAX, errorBody } from "@interview/shared";
import { CheckinBody } from "@interview/shared/rest";
import { insertRecords } from "../storage/writes.ts";
import { sessionAccess, sessionRecordCount } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { access, grantSession, type AccessEnv } from "./access-policy.ts";
import { objectCall } from "./object-call.ts";
import { validate } from "./validate.ts";
import { callTrace } from "../ops/request-context.ts";

/** A check-in is a few dozen bytes of JSON: 16 KiB is room enough, and refuses a flood before it is parsed. */
export const CHECKIN_BODY_LIMIT_BYTES = 16 * 1024;

const checkinBodyLimit = bodyLimit({
  maxSize: CHECKIN_BODY_LIMIT_BYTES,
  onError: (c) => c.json(errorBody("payload_too_large", "The request body is larger than 16 KiB."), 413),
});

const storageFull = () =>
  new HTTPException(409, { message: `This session has stored the ${SESSION_RECORDS_MAX} records a session may keep; the check-in was not stored.`, cause: "storage_full" });

/** The outbox reaches D1 within 5 s of a write (storage README, "The write path"). */
const CHECKIN_RETRY_AFTER_S = 5;

export const checkins = new Hono<AccessEnv>().post(
  "/checkins",
  access("either", { session: "json", bodyLimit: checkinBodyLimit }),
  validate("json", CheckinBody),
  async function postCheckin(c) {
    const body = c.req.valid("json");
    const { object } = await grantSession(c, body.sessionId);
    const idempotencyKey = c.req.header("Idempotency-Key");
    const key =
      idempotencyKey && /^[\x21-\x7e]{1,128}$/.test(idempotencyKey)
        ? `http:checkin:${body.sessionId}:${idempotencyKey}`
        : `http:${crypto.randomUUID()}`;
    if (object) {
      const { group = null, confidence, stress } = body;
      const outcome = await objectCall(`POST /checkins for session ${body.sessionId}`, () =>
        object.recordCheckin(body.sessionId, { group: group ?? null, confidence, stress }, key, callTrace()),
      );
      if (outcome === "storage_full") throw storageFull();
      if (outcome !== "not_found") return c.json({ status: "ok", stored: outcome === "stored" });
    }
    const session = await withDb(c.env, (db) => sessionAccess(db, body.sessionId));
    if (!session) {
      // The policy found the session, in an object that no longer runs it and has not copied
      // it to D1 yet (an earlier session of the socket): its row arrives within seconds.
      c.header("Retry-After", String(CHECKIN_RETRY_AFTER_S));
      throw new HTTPException(503, { message: `Session ${body.sessionId} is still on its way to the database; retry in a few seconds.`, cause: "unavailable" });
    }
    if (!session.consented) return c.json({ status: "ok", stored: false });
    if ((await withDb(c.env, (db) => sessionRecordCount(db, session.id))) >= SESSION_RECORDS_MAX) throw storageFull();
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
  },
);
