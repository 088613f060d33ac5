/**
 * `POST /sessions/:id/answers/audio` (docs/decisions.md, Add: audio answers): multipart `file`,
 * `turn` (required: the `turn` of the socket's `question` being answered), `language`
 * (default `en`), `gaze` (optional, the client's own 0..100 measure). Access `either`
 * (access-policy.ts), checked before the upload is read: the session's resume token, checked
 * by the interview object it names (no D1: usable right after `session_started`), or the admin
 * token, which finds the object through D1 (development: none needed).
 *
 * The Worker transcribes the audio with the speech worker, computes the delivery metrics
 * (words per minute from word timestamps, pause ratio from voice activity, fillers from the
 * transcript), then hands the transcript and metrics to the interview object
 * (`submitAnswer`), which treats it exactly as a typed `user_answer`: `tips`, `question`
 * (and `interviewer_message` for a follow-up) go out on the candidate's socket. The STT
 * latency is stored as the session's `stt` telemetry. Answers
 * `{transcript, metrics, turn, latency_ms}`.
 *
 * The answer counts only for the question it was recorded for: the interview object compares
 * `turn` with its current turn inside its queue, so a retried upload, or a typed answer that
 * arrived during transcription, gets 409 `stale_turn` (naming the current turn) instead of
 * landing on the next question. A client disconnect does not cancel anything: workerd's
 * `request.signal` does not abort on disconnect here (no `enable_request_signal` flag), so a
 * transcription already under way is finished and submitted if its turn is still current.
 *
 * Errors: 401 no token, 403 a token of another session, 404 unknown session (admin), 409 `session_ended` (ended, or no longer the interview its
 * object runs), 422 `no_speech` (nothing was said: the turn is not spent on silence), and the
 * speech failures of `/stt` (400, 413, 429, 503). On any of them nothing is submitted.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { AudioAnswerFields, SessionIdParam } from "@interview/shared/rest";
import { errorBody } from "@interview/shared";
import { speechClientFor } from "../clients/speech-client.ts";
import { deliveryMetrics, type TimedWord } from "../speech/delivery-metrics.ts";
import { invalidFields, readUpload, uploadLimit } from "./speech-upload.ts";
import { speechSession, type InterviewStub, type SpeechEnv } from "./speech-access.ts";
import { access, grantedSession } from "./access-policy.ts";
import { objectCall } from "./object-call.ts";
import type { SubmitAnswerOutcome } from "../durable/interview-session.ts";
import { failureResponse, recordSttLatency, transcribeTimed, waitUntilOf } from "./speech-transcription.ts";
import { validate } from "./validate.ts";
import { callTrace } from "../ops/request-context.ts";

export const audioAnswers = new Hono<SpeechEnv>().post(
  "/sessions/:id/answers/audio",
  access("either", { session: "param" }),
  validate("param", SessionIdParam),
  // An ended interview is refused before the upload is read, like a wrong token.
  async function runningInterview(c, next) {
    speechSession(grantedSession(c, c.req.valid("param").id));
    await next();
  },
  uploadLimit,
  async function postAudioAnswer(c) {
    const session = speechSession(grantedSession(c, c.req.valid("param").id));
    const { id, stub } = session;
    const upload = await readUpload(c, Object.keys(AudioAnswerFields.shape));
    const parsed = AudioAnswerFields.safeParse(upload.fields);
    if (!parsed.success) throw invalidFields(parsed.error.issues);
    const { language, gaze, turn } = parsed.data;

    const result = await transcribeTimed(speechClientFor(c.env, waitUntilOf(c), id), upload, language, c.req.raw.signal);
    if (!result.ok) return failureResponse(c, result.failure);
    const { transcription, transcript, latencyMs } = result.value;
    if (transcript === "") throw new HTTPException(422, { message: "No speech was found in the audio; nothing was submitted.", cause: "no_speech" });

    const metrics = deliveryMetrics({ ...transcription, text: transcript });
    const outcome = await submit(stub, id, transcript, {
      speakingRate: metrics.speakingRate,
      pauseRatio: metrics.pauseRatio,
      fillers: metrics.fillers,
      ...(gaze === undefined ? {} : { gaze }),
    }, turn, transcription.words);
    if (!outcome.ok && outcome.code === "stale_turn") {
      throw new HTTPException(409, {
        message: `The answer was for turn ${turn}, but the session is at turn ${outcome.turn}; nothing was submitted.`,
        cause: "stale_turn",
      });
    }
    if (!outcome.ok && outcome.code === "rate_limited") {
      c.header("Retry-After", String(outcome.retryAfter));
      const message = `Too many answers this minute; nothing was submitted. Retry in ${outcome.retryAfter} s.`;
      return c.json({ ...errorBody("rate_limited", message), retryAfter: outcome.retryAfter }, 429);
    }
    if (!outcome.ok) {
      const message =
        outcome.code === "session_ended" ? "This session has ended; the answer was not submitted." : `Session ${id} is no longer the interview its object runs; the answer was not submitted.`;
      throw new HTTPException(409, { message, cause: "session_ended" });
    }
    await recordSttLatency(session, latencyMs, { language, duration: transcription.duration ?? null, route: "audio_answer", turn: outcome.turn });
    return c.json({ transcript, metrics, turn: outcome.turn, latency_ms: latencyMs });
  },
);

function submit(stub: InterviewStub, id: string, transcript: string, metrics: Parameters<InterviewStub["submitAnswer"]>[2], turn: number, words: TimedWord[]) {
  // The word timings go along for the delivery part of the `feedback` message.
  const call = async (): Promise<SubmitAnswerOutcome> => await stub.submitAnswer(id, transcript, metrics, turn, words.map(({ word, start, end }) => ({ word, start, end })), callTrace());
  return objectCall(`Audio answer for session ${id}`, call, "The interview could not take the answer; try again.");
}
