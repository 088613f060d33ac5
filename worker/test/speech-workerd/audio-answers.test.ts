/**
 * `POST /sessions/:id/answers/audio` against the real speech worker: the transcript and the
 * server-computed metrics reach the interview object, which answers on the candidate's socket
 * exactly as for a typed answer (tips, then the question), stores the metrics with the answer
 * and the STT latency as telemetry. Failures submit nothing: speech worker down (503), bad
 * audio (400), silence (422), unknown session (404), ended session (409), bad tokens.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "../workerd/socket-client.ts";
import { ADMIN_TOKEN, bearer, call, heldRecords, replicated, replicatedInterview } from "../workerd/rest-client.ts";
import { silentWav, speechDown, speechWav, trackedBody, upload } from "./speech-helpers.ts";

const liveSession = replicatedInterview;

const answerPath = (id: string) => `/sessions/${id}/answers/audio`;
const answers = async (token: string, id: string) => (await heldRecords(token, id)).filter((r) => r.kind === "answer");

describe("POST /sessions/:id/answers/audio", () => {
  it("submits the transcript with server-computed metrics; tips and the question arrive on the socket", async () => {
    const { socket, id, token, question } = await liveSession();
    expect(question.turn).toBe(0);
    const response = await call(answerPath(id), upload(speechWav(), { gaze: "72", turn: String(question.turn) }, bearer(token)));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { transcript: string; turn: number; latency_ms: number; metrics: Record<string, number | null> };
    expect(body).toEqual({
      transcript: "hello world",
      turn: 1,
      latency_ms: expect.any(Number),
      // Two words: too few for a speaking rate (null below 5 words or 2 s).
      metrics: { speakingRate: null, pauseRatio: expect.any(Number), fillers: 0, speechSeconds: expect.any(Number) },
    });
    socket.ignoresCoaching = false;
    const frames = await socket.collectUntil("interviewer_message");
    expect(frames.map((f) => f.type)).toEqual(["tips", "feedback", "question", "interviewer_message"]);
    expect(frames[0]).toMatchObject({ turn: 1, items: expect.any(Array) });
    // The spoken answer's word timings reach the coach: delivery is measured (two words, ~0.x s).
    expect(frames[1]).toMatchObject({ turn: 1, delivery: { words: 2, band: expect.any(String) } });
    expect(frames[2]).toMatchObject({ turn: 1, source: "follow_up" });

    const [answer] = await answers(token, id);
    expect(answer).toMatchObject({
      turn: 1,
      answer: "hello world",
      speakingRate: body.metrics.speakingRate,
      pauseRatio: body.metrics.pauseRatio,
      fillers: 0,
      gaze: 72,
    });
    const stt = (await heldRecords(token, id)).filter((r) => r.kind === "telemetry" && r.eventType === "stt");
    expect(stt).toEqual([expect.objectContaining({ latencyMs: body.latency_ms, payload: expect.objectContaining({ route: "audio_answer", turn: 1 }) })]);
    // And it reaches D1 like any answer.
    const exported = await replicated(token, id);
    expect(exported.answers).toMatchObject([{ turn: 1, answer: "hello world", speaking_rate: body.metrics.speakingRate, pause_ratio: body.metrics.pauseRatio }]);
    socket.close();
  });

  it("submits nothing when the speech worker is unreachable (503), then works when it is back", async () => {
    const { socket, id, token } = await liveSession();
    const down = await call(answerPath(id), upload(speechWav(), { turn: "0" }, bearer(token)), speechDown);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "unavailable" });
    await socket.expectSilence();
    expect(await answers(token, id)).toEqual([]);
    const back = await call(answerPath(id), upload(speechWav(), { turn: "0" }, bearer(token)));
    expect(await back.json()).toMatchObject({ turn: 1 });
    await socket.next("tips");
    socket.close();
  });

  it("submits nothing for bad audio or multipart mistakes (400) or silence (422)", async () => {
    const { socket, id, token } = await liveSession();
    const bad = await call(answerPath(id), upload(new TextEncoder().encode("garbage ".repeat(64)), { turn: "0" }, bearer(token), "a.webm"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_audio" });
    const silent = await call(answerPath(id), upload(silentWav(1), { turn: "0" }, bearer(token)));
    expect(silent.status).toBe(422);
    expect(await silent.json()).toMatchObject({ code: "no_speech" });
    const badGaze = await call(answerPath(id), upload(speechWav(), { gaze: "lots", turn: "0" }, bearer(token)));
    expect(badGaze.status).toBe(400);
    const gazeFile = await call(answerPath(id), upload(speechWav(), { gaze: new Blob(["72"]), turn: "0" }, bearer(token)));
    expect(await gazeFile.json()).toEqual({ code: "validation_failed", message: "gaze: must be a text field, not a file" });
    const twoFiles = await call(answerPath(id), upload([speechWav(), speechWav()], { turn: "0" }, bearer(token)));
    expect(await twoFiles.json()).toEqual({ code: "validation_failed", message: "file: send exactly one file" });
    await socket.expectSilence();
    expect(await answers(token, id)).toEqual([]);
    socket.close();
  });

  it("answers 404 for an unknown session and refuses missing or wrong tokens", async () => {
    const unknown = await call(answerPath(crypto.randomUUID()), upload(speechWav(), { turn: "0" }, bearer(ADMIN_TOKEN)));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not_found" });
    const { socket, id, token } = await liveSession();
    const other = await liveSession();
    expect((await call(answerPath(id), upload(speechWav(), { turn: "0" }))).status).toBe(401);
    expect((await call(answerPath(id), upload(speechWav(), { turn: "0" }, bearer(other.token)))).status).toBe(403);
    const asAdmin = await call(answerPath(id), upload(speechWav(), { turn: "0" }, bearer(ADMIN_TOKEN)));
    expect(await asAdmin.json()).toMatchObject({ turn: 1 });
    await socket.next("tips");
    expect(await answers(other.token, other.id)).toEqual([]);
    socket.close();
    other.socket.close();
  });

  it("works right after session_started, before the session reaches D1 (the token names the object)", async () => {
    const { socket, started } = await startInterview({ consent: true, group: "control" });
    const response = await call(answerPath(started.session_id), upload(speechWav(), { turn: "0" }, bearer(started.resumeToken as string)));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ transcript: "hello world", turn: 1 });
    await socket.next("tips");
    socket.close();
  });

  it("checks the session and the token before reading the upload", async () => {
    const { socket, id } = await liveSession();
    const other = await liveSession();
    const multipart = { "Content-Type": "multipart/form-data; boundary=x" };
    const tokenless = trackedBody();
    expect((await call(answerPath(id), { method: "POST", headers: multipart, body: tokenless.body })).status).toBe(401);
    const wrong = trackedBody();
    expect((await call(answerPath(id), { method: "POST", headers: { ...multipart, ...bearer(other.token) }, body: wrong.body })).status).toBe(403);
    const unknown = trackedBody();
    expect((await call(answerPath(crypto.randomUUID()), { method: "POST", headers: { ...multipart, ...bearer(ADMIN_TOKEN) }, body: unknown.body })).status).toBe(404);
    expect([tokenless.pulled(), wrong.pulled(), unknown.pulled()]).toEqual([0, 0, 0]);
    await socket.expectSilence();
    socket.close();
    other.socket.close();
  });

  it("requires the turn of the question being answered", async () => {
    const { socket, id, token } = await liveSession();
    for (const turn of [undefined, "", "first", "-1", "1.5"]) {
      const response = await call(answerPath(id), upload(speechWav(), turn === undefined ? {} : { turn }, bearer(token)));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/^turn: /) });
    }
    await socket.expectSilence();
    expect(await answers(token, id)).toEqual([]);
    socket.close();
  });

  it("refuses a retried upload with 409 stale_turn: the audio does not land on the next question", async () => {
    const { socket, id, token, question } = await liveSession();
    const first = await call(answerPath(id), upload(speechWav(), { turn: String(question.turn) }, bearer(token)));
    expect(await first.json()).toMatchObject({ turn: 1 });
    await socket.collectUntil("interviewer_message");
    const retry = await call(answerPath(id), upload(speechWav(), { turn: String(question.turn) }, bearer(token)));
    expect(retry.status).toBe(409);
    expect(await retry.json()).toEqual({ code: "stale_turn", message: "The answer was for turn 0, but the session is at turn 1; nothing was submitted." });
    await socket.expectSilence();
    expect(await answers(token, id)).toHaveLength(1);
    socket.close();
  });

  it("refuses audio for a question a typed answer already answered (409 stale_turn)", async () => {
    const { socket, id, token, question } = await liveSession();
    socket.send({ type: "user_answer", answer: "I typed this one." });
    await socket.collectUntil("interviewer_message");
    const late = await call(answerPath(id), upload(speechWav(), { turn: String(question.turn) }, bearer(token)));
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "stale_turn", message: expect.stringMatching(/at turn 1/) });
    expect((await answers(token, id)).map((a) => (a as { answer: string }).answer)).toEqual(["I typed this one."]);
    socket.close();
  });

  it("answers 409 once the session has ended", async () => {
    const { socket, id, token } = await liveSession({ maxQuestions: 1 });
    expect((await call(answerPath(id), upload(speechWav(), { turn: "0" }, bearer(token)))).status).toBe(200);
    await socket.next("tips");
    await socket.next("session_ended");
    const after = await call(answerPath(id), upload(speechWav(), { turn: "1" }, bearer(token)));
    expect(after.status).toBe(409);
    expect(await after.json()).toMatchObject({ code: "session_ended" });
    expect(await answers(token, id)).toHaveLength(1);
  });
});
