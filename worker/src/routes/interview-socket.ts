/**
 * `GET /ws/interview`: hands the upgrade to an InterviewSession object. A new interview gets
 * a new object; a resume token, offered as the subprotocol `resume.<token>` beside
 * `interview.v1` or (the weaker, older form) as `?session=<id>&token=<token>`, reaches the
 * object named in the token, which checks the token itself before accepting. Access `public`
 * (the object is the policy here); an object that does not answer is 503.
 */
import { Hono } from "hono";
import { errorBody } from "@interview/shared";
import type { Env } from "../env.ts";
import { access, type AccessEnv } from "./access-policy.ts";
import { objectCall } from "./object-call.ts";
import { offeredSubprotocols } from "../durable/socket-subprotocol.ts";
import { interviewOfToken } from "../durable/interview-stub.ts";

export const interviewSocket = new Hono<AccessEnv>().get("/ws/interview", access("public"), async function upgradeInterview(c) {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json(errorBody("upgrade_required"), 426);
  }
  // The stronger form: the token as a subprotocol, out of the URL (and of logs that keep URLs).
  const { resumeToken } = offeredSubprotocols(c.req.raw.headers);
  if (resumeToken !== null) return routeByToken(c.env, resumeToken, c.req.raw);
  const sessionId = c.req.query("session");
  const token = c.req.query("token");
  if (sessionId === undefined && token === undefined) {
    const stub = c.env.INTERVIEW.get(c.env.INTERVIEW.newUniqueId());
    return objectCall("GET /ws/interview", () => stub.fetch(c.req.raw));
  }
  if (!sessionId || !token) {
    return c.json(errorBody("unauthorized", "Resuming needs both session and token."), 401);
  }
  return routeByToken(c.env, token, c.req.raw);
});

async function routeByToken(env: Env, token: string, request: Request): Promise<Response> {
  const stub = interviewOfToken(env, token);
  if (!stub) return Response.json(errorBody("forbidden", "The resume token does not match this session."), { status: 403 });
  return objectCall("GET /ws/interview (resume)", () => stub.fetch(request));
}
