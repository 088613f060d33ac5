/**
 * `POST /stt` against the real speech worker: the seed's answer shape plus server-computed
 * delivery metrics, the STT latency stored with the session, auth by resume token or admin
 * token, unknown sessions, bad audio and oversized uploads passed through with real statuses,
 * and a speech worker that is down, unconfigured or refuses our key (503).
 * Not covered: a full queue (429), whose mapping test/speech/speech-client.test.ts checks.
 * The tiny Whisper hears two words aligned within a few tens of ms: too few for a speaking
 * rate (null below 5 words or 2 s), and a spoken span shorter than the speech the VAD
 * measures (pause ratio clamped to 0): only ranges are checked here; the arithmetic is in
 * test/speech/delivery-metrics.test.ts.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "../workerd/socket-client.ts";
import { ADMIN_TOKEN, bearer, call, heldRecords, postJson, replicated, replicatedInterview } from "../workerd/rest-client.ts";
import { silentWav, speech22kWav, speechDown, speechUnset, speechWav, trackedBody, upload } from "./speech-helpers.ts";

const liveSession = () => replicatedInterview({ group: "treatment" });

describe("POST /stt", () => {
  it("transcribes for a session's resume token, with metrics, and stores the STT latency", async () => {
    const { socket, id, token } = await liveSession();
    const response = await call("/stt", upload(speechWav(), { sessionId: id }, bearer(token)));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      transcript: "hello world",
      latency_ms: expect.any(Number),
      duration: expect.closeTo(2.89, 1),
      language: "en",
      num_segments: 1,
      metrics: { speakingRate: null, pauseRatio: expect.any(Number), fillers: 0, speechSeconds: expect.any(Number) },
    });
    const metrics = body.metrics as { pauseRatio: number; speechSeconds: number };
    expect(metrics.pauseRatio).toBeGreaterThanOrEqual(0);
    expect(metrics.pauseRatio).toBeLessThanOrEqual(1);
    expect(metrics.speechSeconds).toBeGreaterThan(1);
    const stt = (await heldRecords(token, id)).filter((r) => r.kind === "telemetry" && r.eventType === "stt");
    expect(stt).toEqual([
      expect.objectContaining({ latencyMs: body.latency_ms, group: "treatment", payload: { language: "en", duration: body.duration, route: "stt" } }),
    ]);
    socket.close();
  });

  it("takes the admin token without a session, other rates, and a language", async () => {
    const response = await call("/stt", upload(speech22kWav(), { language: " EN " }, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ transcript: "hello world", language: "en" });
  });

  it("refuses a missing (401) or wrong (403) token, and a resume token without its session", async () => {
    const { socket, id, token } = await liveSession();
    const other = await liveSession();
    expect((await call("/stt", upload(speechWav(), { sessionId: id }))).status).toBe(401);
    const wrong = await call("/stt", upload(speechWav(), { sessionId: id }, bearer(other.token)));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ code: "forbidden" });
    expect((await call("/stt", upload(speechWav(), {}, bearer(token)))).status).toBe(403);
    expect((await call("/stt", upload(speechWav(), { sessionId: id }, bearer("nope")), { ENVIRONMENT: "development" })).status).toBe(403);
    expect((await heldRecords(token, id)).filter((r) => r.kind === "telemetry" && r.eventType === "stt")).toEqual([]);
    socket.close();
    other.socket.close();
  });

  it("checks ?sessionId= and its token before reading the upload", async () => {
    const { socket, id, token } = await liveSession();
    const other = await liveSession();
    const upstream = (r: { body: ReadableStream }) => ({ method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=x" }, body: r.body });
    const tokenless = trackedBody();
    expect((await call(`/stt?sessionId=${id}`, upstream(tokenless))).status).toBe(401);
    const wrong = trackedBody();
    const refused = await call(`/stt?sessionId=${id}`, { ...upstream(wrong), headers: { ...upstream(wrong).headers, ...bearer(other.token) } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "forbidden" });
    const garbage = trackedBody();
    expect((await call("/stt", { ...upstream(garbage), headers: { ...upstream(garbage).headers, ...bearer("not-a-token") } })).status).toBe(403);
    expect([tokenless.pulled(), wrong.pulled(), garbage.pulled()]).toEqual([0, 0, 0]);

    const ok = await call(`/stt?sessionId=${id}`, upload(speechWav(), {}, bearer(token)));
    expect(ok.status).toBe(200);
    const stt = (await heldRecords(token, id)).filter((r) => r.kind === "telemetry" && r.eventType === "stt");
    expect(stt).toHaveLength(1);
    const differs = await call(`/stt?sessionId=${id}`, upload(speechWav(), { sessionId: other.id }, bearer(token)));
    expect(differs.status).toBe(400);
    expect(await differs.json()).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/^sessionId:/) });
    socket.close();
    other.socket.close();
  });

  it("refuses an ended session's resume token with 409 session_ended, on /stt and /tts", async () => {
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 1 });
    const id = started.session_id;
    const token = started.resumeToken as string;
    expect((await call(`/sessions/${id}/answers/audio`, upload(speechWav(), { turn: "0" }, bearer(token)))).status).toBe(200);
    await socket.next("tips");
    await socket.next("session_ended");
    for (const response of [
      await call(`/stt?sessionId=${id}`, upload(speechWav(), {}, bearer(token))),
      await call("/stt", upload(speechWav(), { sessionId: id }, bearer(token))),
      await call("/tts", postJson({ text: "Hello again.", sessionId: id }, bearer(token))),
    ]) {
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ code: "session_ended" });
    }
  });

  it("accepts a token-less call in development only", async () => {
    const response = await call("/stt", upload(speechWav()), { ENVIRONMENT: "development" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ transcript: "hello world" });
  });

  it("answers 404 for an unknown session", async () => {
    const response = await call("/stt", upload(speechWav(), { sessionId: crypto.randomUUID() }, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: "not_found" });
  });

  it("passes the speech worker's 400 for bad audio through, and checks its own fields", async () => {
    const garbage = new TextEncoder().encode("this is not audio at all ".repeat(40));
    const bad = await call("/stt", upload(garbage, {}, bearer(ADMIN_TOKEN), "answer.webm"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: "invalid_audio", message: expect.stringMatching(/decoded/) });
    const noFile = await call("/stt", upload(null, { language: "en" }, bearer(ADMIN_TOKEN)));
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toEqual({ code: "validation_failed", message: "file: a multipart file is required" });
    const language = await call("/stt", upload(speechWav(), { language: "english!" }, bearer(ADMIN_TOKEN)));
    expect(await language.json()).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/^language:/) });
    const unsupported = await call("/stt", upload(speechWav(), { language: "ja" }, bearer(ADMIN_TOKEN)));
    expect(unsupported.status).toBe(400);
    expect(await unsupported.json()).toMatchObject({ code: "validation_failed", message: expect.stringMatching(/not supported/) });
    const json = await call("/stt", { method: "POST", headers: { "Content-Type": "application/json", ...bearer(ADMIN_TOKEN) }, body: "{}" });
    expect(json.status).toBe(400);
  });

  it("refuses two files in `file`, and a known text field sent as a file", async () => {
    const two = await call("/stt", upload([speechWav(), speech22kWav()], {}, bearer(ADMIN_TOKEN)));
    expect(two.status).toBe(400);
    expect(await two.json()).toEqual({ code: "validation_failed", message: "file: send exactly one file" });
    const languageFile = await call("/stt", upload(speechWav(), { language: new Blob(["ja"]) }, bearer(ADMIN_TOKEN)));
    expect(languageFile.status).toBe(400);
    expect(await languageFile.json()).toEqual({ code: "validation_failed", message: "language: must be a text field, not a file" });
    // Unknown parts are ignored, as unknown text fields are.
    expect((await call("/stt", upload(speechWav(), { extra: new Blob(["x"]) }, bearer(ADMIN_TOKEN)))).status).toBe(200);
  });

  it("answers 413 over 10 MiB before forwarding, and passes the speech worker's own 413 through", async () => {
    const huge = await call("/stt", upload(new Uint8Array(10 * 1024 * 1024 + 1), {}, bearer(ADMIN_TOKEN)));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ code: "payload_too_large", message: "The upload is larger than 10 MiB." });
    // The test speech worker's limit is 1 MiB (speech-worker-setup.ts).
    const overWorkerLimit = await call("/stt", upload(new Uint8Array(1024 * 1024 + 512), {}, bearer(ADMIN_TOKEN)));
    expect(overWorkerLimit.status).toBe(413);
    expect(await overWorkerLimit.json()).toMatchObject({ code: "payload_too_large", message: expect.not.stringMatching(/10 MiB/) });
  });

  it("answers 413 from the upload limit itself: a declared Content-Length, or a stream that runs over", async () => {
    // The speech worker is down: a forwarded call would be 503, so 413 means nothing was sent.
    const multipart = { "Content-Type": "multipart/form-data; boundary=x", ...bearer(ADMIN_TOKEN) };
    const declared = await call("/stt", { method: "POST", headers: { ...multipart, "Content-Length": "524288000" }, body: "--x--" }, speechDown);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ code: "payload_too_large", message: "The upload is larger than 10 MiB." });
    const stream = trackedBody(12, 1024 * 1024);
    const chunked = await call("/stt", { method: "POST", headers: multipart, body: stream.body }, speechDown);
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toEqual({ code: "payload_too_large", message: "The upload is larger than 10 MiB." });
    expect(stream.pulled()).toBeLessThanOrEqual(11);
  });

  it("answers 503 when the speech worker is unreachable or unconfigured, and stores nothing", async () => {
    const { socket, id, token } = await liveSession();
    const down = await call("/stt", upload(speechWav(), { sessionId: id }, bearer(token)), speechDown);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/cannot be reached/) });
    const unset = await call("/stt", upload(speechWav(), { sessionId: id }, bearer(token)), speechUnset);
    expect(unset.status).toBe(503);
    expect(await unset.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/SPEECH_WORKER_URL/) });
    const wrongKey = await call("/stt", upload(speechWav(), { sessionId: id }, bearer(token)), { SPEECH_API_KEY: "not-the-key" });
    expect(wrongKey.status).toBe(503);
    expect(await wrongKey.json()).toMatchObject({ code: "unavailable", message: expect.stringMatching(/SPEECH_API_KEY/) });
    expect((await heldRecords(token, id)).filter((r) => r.kind === "telemetry" && r.eventType === "stt")).toEqual([]);
    socket.close();
  });

  it("returns an empty transcript for silence, with no rate and no pause ratio (no spoken span)", async () => {
    const response = await call("/stt", upload(silentWav(1.5), {}, bearer(ADMIN_TOKEN)));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ transcript: "", num_segments: 0, metrics: { speakingRate: null, pauseRatio: null, fillers: 0, speechSeconds: 0 } });
  });
});
