/**
 * The Worker's HTTP surface: one Hono sub-app per resource, mounted here, with one error
 * handler so every failure has the same JSON shape (`{code, message}`).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { errorBody, type ErrorCode } from "@interview/shared";
import type { AppEnv } from "./env.ts";
import { health } from "./routes/health.ts";
import { interviewSocket } from "./routes/interview-socket.ts";
import { restCors } from "./routes/cors.ts";
import { checkins } from "./routes/checkins.ts";
import { metrics } from "./routes/metrics.ts";
import { exports as sessionExports } from "./routes/exports.ts";
import { sessions } from "./routes/sessions.ts";
import { comments } from "./routes/comments.ts";
import { speech } from "./routes/speech.ts";
import { audioAnswers } from "./routes/audio-answers.ts";
import { participants } from "./routes/participants.ts";
import { sessionReport } from "./routes/session-report.ts";
import { requestIds, requestLog } from "./ops/request-log.ts";
import { settingsGate } from "./ops/settings-gate.ts";
import { ops } from "./routes/ops.ts";

export const app = new Hono<AppEnv>();

// Request id and log line first (every reply has both), then the configuration check.
app.use("*", requestIds, requestLog, settingsGate);
app.use("*", restCors);
app.route("/", health);
app.route("/", ops);
app.route("/", interviewSocket);
app.route("/", checkins);
app.route("/", metrics);
app.route("/", sessionExports);
app.route("/", sessions);
app.route("/", comments);
app.route("/", speech);
app.route("/", audioAnswers);
app.route("/", participants);
app.route("/", sessionReport);

app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

app.onError(function handleError(error, c) {
  if (error instanceof HTTPException) {
    const code = (error.cause as ErrorCode | undefined) ?? codeForStatus(error.status);
    return c.json(errorBody(code, error.message || undefined), error.status);
  }
  console.error(`${c.req.method} ${c.req.path} failed`, error);
  return c.json(errorBody("internal"), 500);
});

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 503) return "unavailable";
  return status < 500 ? "validation_failed" : "internal";
}
