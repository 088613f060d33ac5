/**
 * `GET /sessions/:id/report` (either: the session's resume token or the admin token): the
 * end-of-session report (README, protocol: `report`), also while the session runs. Each
 * answer's scores come from the interview object while it holds the session (stored or not:
 * without consent they never reach D1, and the object drops them once the session's report
 * was sent), else from D1's `feedbackrecord` rows. Like the socket's `report`, it compares
 * with the participant's earlier sessions (`earlier`), found in D1 by participant id with the
 * same read (`earlierSessions`): null when there are none with stored feedback.
 */
import { Hono } from "hono";
import { ReportMessageSchema, type AnswerScore } from "@interview/shared";
import { SessionIdParam } from "@interview/shared/rest";
import { buildReport } from "../engine/session-report.ts";
import { earlierSessions, sessionOwner, sessionScores } from "../storage/feedback-reads.ts";
import { withDb } from "../storage/db.ts";
import { access, grantedSession, type AccessEnv } from "./access-policy.ts";
import { objectCall } from "./object-call.ts";
import { validate } from "./validate.ts";

export const sessionReport = new Hono<AccessEnv>().get(
  "/sessions/:id/report",
  access("either", { session: "param" }),
  validate("param", SessionIdParam),
  async function getSessionReport(c) {
    const { id } = c.req.valid("param");
    const { object } = grantedSession(c, id);
    const live = object ? await objectCall(`GET /sessions/${id}/report`, () => object.coachingScores(id)) : null;
    const report = await withDb(c.env, async (db) => {
      const owner = live ? { participantId: live.participantId, createdAt: live.startedAt } : await sessionOwner(db, id);
      const scores: AnswerScore[] = live ? live.scores : await sessionScores(db, id);
      const earlier = owner?.participantId ? await earlierSessions(db, owner.participantId, owner.createdAt) : null;
      return buildReport(id, scores, earlier);
    });
    // The same schema the socket's `report` follows.
    return c.json(ReportMessageSchema.parse(report));
  },
);
