/**
 * `POST /checkins` (seed §6.2): a self-report outside the WebSocket. Bearer: the session's
 * resume token or the admin token (development: none needed). 404 for an unknown session.
 * A session without consent gets `{"status":"ok","stored":false}` and nothing is written.
 * An `Idempotency-Key` header makes retries safe: the same key stores one row.
 *
 * With a resume token the check-in goes through the interview's own object (named in the
 * token), into its outbox like the socket's check-ins: it works right after
 * `session_started` and while D1 is down. Otherwise (admin token, or an object that no longer
 * runs the session) it is written to D1 directly.
 */
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { CheckinBody } from "@interview/shared/rest";
import type { AppEnv } from "../env.ts";
import { insertRecords } from "../storage/writes.ts";
import { sessionAccess } from "../storage/reads.ts";
import { withDb } from "../storage/db.ts";
import { authorizeSessionCall, bearerToken, isAdminToken } from "./auth.ts";
import { interviewOfToken } from "../durable/interview-stub.ts";
import { validate } from "./validate.ts";

export const checkins = new Hono<AppEnv>().post("/checkins", validate("json", CheckinBody), async function postCheckin(c) {
  const body = c.req.valid("json");
  const idempotencyKey = c.req.header("Idempotency-Key");
  const key =
    idempotencyKey && /^[\x21-\x7e]{1,128}$/.test(idempotencyKey)
      ? `http:checkin:${body.sessionId}:${idempotencyKey}`
      : `http:${crypto.randomUUID()}`;
  const viaObject = await checkinThroughObject(c, body, key);
  if (viaObject) return viaObject;
  const session = await withDb(c.env, (db) => sessionAccess(db, body.sessionId));
  if (!session) throw new HTTPException(404, { message: `Unknown session ${body.sessionId}.`, cause: "not_found" });
  await authorizeSessionCall(c, session.resumeTokenHash);
  if (!session.consented) return c.json({ status: "ok", stored: false });
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

/** The resume-token path; null when the token names no object that runs this session. */
async function checkinThroughObject(c: Context<AppEnv>, body: CheckinBody, key: string): Promise<Response | null> {
  const token = bearerToken(c);
  const stub = token ? interviewOfToken(c.env, token) : null;
  if (!token || !stub) return null;
  const check = await stub.checkSession(body.sessionId, token);
  if (check === "not_found") return null;
  if (check === "forbidden") {
    if (await isAdminToken(c.env, token)) return null;
    throw new HTTPException(403, { message: "This token is not allowed here.", cause: "forbidden" });
  }
  const { group = null, confidence, stress } = body;
  const outcome = await stub.recordCheckin(body.sessionId, { group: group ?? null, confidence, stress }, key);
  if (outcome === "not_found") return null;
  return c.json({ status: "ok", stored: outcome === "stored" });
}
