/**
 * `GET /ws/interview`: hands the upgrade to an InterviewSession object. A new interview gets
 * a new object; `?session=<id>&token=<resumeToken>` reaches the object named in the token,
 * which checks the token itself before accepting.
 */
import { Hono } from "hono";
import { errorBody } from "@interview/shared";
import type { AppEnv } from "../env.ts";
import { interviewOfToken } from "../durable/interview-stub.ts";

export const interviewSocket = new Hono<AppEnv>().get("/ws/interview", async function upgradeInterview(c) {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json(errorBody("upgrade_required"), 426);
  }
  const sessionId = c.req.query("session");
  const token = c.req.query("token");
  if (sessionId === undefined && token === undefined) {
    return c.env.INTERVIEW.get(c.env.INTERVIEW.newUniqueId()).fetch(c.req.raw);
  }
  if (!sessionId || !token) {
    return c.json(errorBody("unauthorized", "Resuming needs both session and token."), 401);
  }
  const stub = interviewOfToken(c.env, token);
  if (!stub) return c.json(errorBody("forbidden", "The resume token does not match this session."), 403);
  return stub.fetch(c.req.raw);
});
