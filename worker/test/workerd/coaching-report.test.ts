/**
 * Coaching over the real socket and D1: `feedback` after `tips` for every answer, `report`
 * just before `session_ended`, both fitting their shared schemas; the feedback stored and
 * exported; GET /sessions/:id/report with the session's token (also without consent, from the
 * interview object) and its comparison with the participant's earlier session, which the
 * socket's `report` makes too (read from D1 by the object at the session's start, and kept; at
 * the end only when that read is missing, and without it when D1 then fails); without consent,
 * the object keeps no scores once the report is sent.
 */
import { runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import { describe, expect, it } from "vitest";
import { FeedbackMessageSchema, ReportMessageSchema } from "@interview/shared";
import { connect, interviewOf, startInterview } from "./socket-client.ts";
import { EARLIER_READ_TIMEOUT_MS, EarlierSessionsCache } from "../../src/durable/earlier-sessions.ts";
import { bearer, call, failingDb, replicated } from "./rest-client.ts";

const ANSWER =
  "At my last company checkout timed out every evening. I was on call, so I had to find the cause. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";
const WEAK = "I think we maybe changed some things and it was sort of better.";

async function answerTurn(socket: Awaited<ReturnType<typeof startInterview>>["socket"], answer: string, last = false) {
  socket.ignoresCoaching = false;
  socket.send({ type: "user_answer", answer, metrics: {} });
  const frames = await socket.collectUntil(last ? "session_ended" : "question");
  return frames;
}

describe("coaching over the socket", () => {
  it("sends feedback after tips, a report before session_ended, stores the feedback and exports it", async () => {
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 2 });
    const first = await answerTurn(socket, WEAK);
    expect(first.map((f) => f.type)).toEqual(["tips", "feedback", "question"]);
    const feedback = FeedbackMessageSchema.parse(first[1]);
    expect(feedback).toMatchObject({ turn: 1, delivery: null });
    expect(feedback.content.hedges.map((h) => h.text)).toEqual(["I think", "maybe", "sort of"]);
    await socket.next("interviewer_message");

    const last = await answerTurn(socket, ANSWER, true);
    expect(last.map((f) => f.type)).toEqual(["tips", "feedback", "report", "session_ended"]);
    const report = ReportMessageSchema.parse(last[2]);
    expect(report.answers.map((a) => a.turn)).toEqual([1, 2]);
    expect(report.answers[1]!.numbers).toContain("900 ms");
    expect(report.earlier).toBeNull();

    const exported = await replicated(started.resumeToken as string, started.session_id);
    expect(exported.feedback.map((f) => [f.turn, f.star_score])).toEqual([
      [1, report.answers[0]!.starScore],
      [2, 4],
    ]);
    expect(FeedbackMessageSchema.shape.content.parse(exported.feedback[1]!.content)).toEqual(FeedbackMessageSchema.parse(last[1]).content);
    socket.close();
  });

  it("GET /sessions/:id/report: the object's scores without consent (nothing stored), 401 without a token", async () => {
    const { socket, started } = await startInterview({ consent: false });
    await answerTurn(socket, ANSWER);
    const id = started.session_id;
    expect((await call(`/sessions/${id}/report`)).status).toBe(401);
    const response = await call(`/sessions/${id}/report`, { headers: bearer(started.resumeToken as string) });
    expect(response.status).toBe(200);
    const report = ReportMessageSchema.parse(await response.json());
    expect(report).toMatchObject({ session_id: id, earlier: null });
    expect(report.answers).toHaveLength(1);
    expect(report.answers[0]!.star.result.quotes[0]).toContain("p99 dropped");
    socket.close();
  });

  it("compares with the same participant's earlier session", async () => {
    const first = await startInterview({ consent: true, maxQuestions: 1 });
    await answerTurn(first.socket, WEAK, true);
    await replicated(first.started.resumeToken as string, first.started.session_id);
    first.socket.close();

    const second = await startInterview({ consent: true, participantId: first.started.participantId });
    await answerTurn(second.socket, ANSWER);
    const response = await call(`/sessions/${second.started.session_id}/report`, { headers: bearer(second.started.resumeToken as string) });
    const report = ReportMessageSchema.parse(await response.json());
    expect(report.earlier).toMatchObject({ sessions: 1, thisSession: { starScore: 4, numbers: 2 }, earlier: { hedges: 3 } });
    second.socket.close();
  });
});

/** A participant's first session, one weak answer, its feedback in D1; the participant's id. */
async function earlierSession(): Promise<string> {
  const first = await startInterview({ consent: true, maxQuestions: 1 });
  await answerTurn(first.socket, WEAK, true);
  await replicated(first.started.resumeToken as string, first.started.session_id);
  first.socket.close();
  return first.started.participantId as string;
}

/**
 * Waits for the read of earlier sessions the object makes at the start, then gives it `db` for
 * the rest; `forgetStartRead`: the read is dropped too, so the end has to read `db`.
 */
async function afterStartRead(resumeToken: string, db: () => unknown, forgetStartRead: boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  const kept = () => runInDurableObject(interviewOf(resumeToken), (_instance, state) => state.storage.kv.get(EarlierSessionsCache.KEY) !== undefined);
  while (!(await kept())) {
    if (Date.now() > deadline) throw new Error("the start's read of earlier sessions was never kept");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await runInDurableObject(interviewOf(resumeToken), (instance, state) => {
    const fields = instance as unknown as { reportDb?: unknown };
    if (typeof fields.reportDb !== "function") throw new Error("InterviewSession.reportDb is gone: update this test");
    fields.reportDb = db;
    if (forgetStartRead) state.storage.kv.delete(EarlierSessionsCache.KEY);
  });
}

describe("the socket's report and earlier sessions", () => {
  it("compares a second session of the participant with the first, as GET /sessions/:id/report does", async () => {
    const participantId = await earlierSession();
    const second = await startInterview({ consent: true, participantId, maxQuestions: 1 });
    const frames = await answerTurn(second.socket, ANSWER, true);
    const report = ReportMessageSchema.parse(frames.find((f) => f.type === "report"));
    expect(report.earlier).toMatchObject({ sessions: 1, thisSession: { starScore: 4, numbers: 2 }, earlier: { hedges: 3 } });
    const response = await call(`/sessions/${second.started.session_id}/report`, { headers: bearer(second.started.resumeToken as string) });
    expect(ReportMessageSchema.parse(await response.json()).earlier).toEqual(report.earlier);
  });

  it("keeps the comparison read at the start when D1 fails by the end", async () => {
    const participantId = await earlierSession();
    const second = await startInterview({ consent: true, participantId, maxQuestions: 1 });
    await afterStartRead(second.started.resumeToken as string, () => drizzle(failingDb()), false);
    const frames = await answerTurn(second.socket, ANSWER, true);
    const report = ReportMessageSchema.parse(frames.find((f) => f.type === "report"));
    expect(report.earlier).toMatchObject({ sessions: 1, earlier: { hedges: 3 } });
  });

  it("goes out without the comparison when the start's read is missing and D1 fails at the end", async () => {
    const participantId = await earlierSession();
    const second = await startInterview({ consent: true, participantId, maxQuestions: 1 });
    await afterStartRead(second.started.resumeToken as string, () => drizzle(failingDb()), true);
    const frames = await answerTurn(second.socket, ANSWER, true);
    expect(frames.map((f) => f.type)).toEqual(["tips", "feedback", "report", "session_ended"]);
    expect(ReportMessageSchema.parse(frames[2]).earlier).toBeNull();
  });

  it("goes out without the comparison when D1 does not answer (the end waits EARLIER_READ_TIMEOUT_MS, no longer)", async () => {
    const participantId = await earlierSession();
    // This socket waits longer for a frame than the end waits for D1 (a bound on waiting, not a timed assertion).
    const socket = await connect("", {}, undefined, EARLIER_READ_TIMEOUT_MS + 10_000);
    await socket.next("session_ready");
    socket.send({ type: "start_session", consent: true, participantId, maxQuestions: 1 });
    const second = { socket, started: await socket.next("session_started") };
    await socket.next("question");
    const never = () => new Promise<never>(() => {});
    const statement = { bind: () => statement, all: never, raw: never, first: never, run: never };
    const silent = { prepare: () => statement, batch: never } as unknown as D1Database;
    await afterStartRead(second.started.resumeToken as string, () => drizzle(silent), true);
    const frames = await answerTurn(second.socket, ANSWER, true);
    expect(frames.map((f) => f.type)).toEqual(["tips", "feedback", "report", "session_ended"]);
    expect(ReportMessageSchema.parse(frames[2]).earlier).toBeNull();
  });
});

describe("privacy at the end", () => {
  it("without consent the object keeps no answer scores or quotes once the report is sent; with consent it does", async () => {
    // Everything the object keeps under its keys: the state, and each answer's score under its own.
    const stored = async (resumeToken: string) =>
      runInDurableObject(interviewOf(resumeToken), (_instance, state) => [...state.storage.kv.list()].map(([key, value]) => `${key}=${String(value)}`).join("\n"));
    const without = await startInterview({ consent: false, maxQuestions: 1 });
    const frames = await answerTurn(without.socket, ANSWER, true);
    expect(ReportMessageSchema.parse(frames.find((f) => f.type === "report")).answers[0]!.star.result.quotes[0]).toContain("p99 dropped");
    const state = await stored(without.started.resumeToken as string);
    expect(state).toContain('"ended":true');
    expect(state).not.toContain("p99");
    expect(state).not.toContain('"scores"');
    // Nor its messages kept for resumes (tips, feedback and the report quote the answer).
    const journal = await runInDurableObject(interviewOf(without.started.resumeToken as string), (_instance, s) =>
      s.storage.sql.exec<{ frames: string | null }>("SELECT frames FROM journal WHERE session_id = ?", without.started.session_id as string).toArray(),
    );
    expect(journal.filter((row) => row.frames !== null)).toEqual([]);

    const withConsent = await startInterview({ consent: true, maxQuestions: 1 });
    await answerTurn(withConsent.socket, ANSWER, true);
    expect(await stored(withConsent.started.resumeToken as string)).toContain("p99 dropped");
    const kept = await runInDurableObject(interviewOf(withConsent.started.resumeToken as string), (_instance, s) =>
      s.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM journal WHERE session_id = ? AND frames IS NOT NULL", withConsent.started.session_id as string).one().n,
    );
    expect(kept).toBeGreaterThan(0);
  });
});
