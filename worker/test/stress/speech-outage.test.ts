/**
 * Scenario 4, the speech worker killed and restarted during audio answers. The real speech
 * worker (gpu-worker's app on tiny models, a child process of the global setup) is killed
 * with SIGKILL while three audio answers are being transcribed, stays down for a while, and
 * is started again on the same address. Audio answers cut off or sent while it is down get
 * 503 `unavailable` and submit nothing (the interview's socket gets no tips; D1 gets no row);
 * after the restart audio answers work again (honouring Retry-After, so a circuit breaker's
 * cooldown and probe are waited out, not assumed away); a typed interview goes on throughout,
 * and a speaker can type an answer while speech is down. Every acknowledged answer, typed or
 * spoken, is in D1 exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPOKEN, sendAudioAnswer, speechWorker } from "./speech-control.ts";
import { Candidate, ledgerMismatches, sleep, waitFor } from "./stress-client.ts";

/** Bounds the wait for audio answers to work again (a breaker's cooldown is 30 s, doubled after a failed probe). */
const RECOVERY_WAIT_MS = 240_000;

/** An audio answer to the candidate's current question; on 200 its replies are read from the socket. */
async function answerByVoice(c: Candidate): Promise<Response> {
  const response = await sendAudioAnswer(c.sessionId, c.token, c.turn);
  if (response.status === 200) {
    const body = (await response.clone().json()) as { transcript: string; turn: number };
    expect(body.transcript).toBe(SPOKEN);
    await c.acknowledge(SPOKEN);
  }
  return response;
}

/** A refused audio answer: 503 unavailable, and nothing reached the interview (a ping's pong comes with no tips). */
async function expectRefused(c: Candidate, response: Response): Promise<void> {
  expect(response.status, c.label).toBe(503);
  expect(await response.json()).toMatchObject({ code: "unavailable" });
  await c.alive();
}

/** Sends audio answers until one is accepted, waiting as Retry-After says (at most 5 s a time) between 503s. */
async function untilVoiceAccepted(c: Candidate): Promise<number> {
  const deadline = Date.now() + RECOVERY_WAIT_MS;
  for (let attempts = 1; ; attempts++) {
    const response = await answerByVoice(c);
    if (response.status === 200) return attempts;
    const retryAfter = Number(response.headers.get("Retry-After") ?? "1");
    await expectRefused(c, response);
    if (Date.now() > deadline) throw new Error(`${c.label}: audio answers still refused ${RECOVERY_WAIT_MS} ms after the restart`);
    await sleep(Math.min(5, Math.max(1, Number.isFinite(retryAfter) ? retryAfter : 1)) * 1000);
  }
}

beforeAll(() => speechWorker.start());
afterAll(async () => {
  await speechWorker.release().catch(() => undefined);
  await speechWorker.start();
});

describe("the speech worker killed and restarted during audio answers", () => {
  it("refuses audio answers while it is down without submitting them, works again after the restart, and the typed interview goes on", async () => {
    const typed = await Candidate.start("typed");
    const speakers = await Promise.all([0, 1, 2].map((i) => Candidate.start(`speaker-${i}`)));
    const all = [typed, ...speakers];
    const startsBefore = (await speechWorker.state()).starts;

    // Healthy: every speaker answers by voice.
    for (const c of speakers) expect((await answerByVoice(c)).status).toBe(200);
    await typed.answer();

    // Killed while three answers are being transcribed.
    await speechWorker.hold();
    const inFlight = speakers.map((c) => sendAudioAnswer(c.sessionId, c.token, c.turn));
    await waitFor(async () => (await speechWorker.state()).held >= speakers.length, "three uploads to reach the speech worker", undefined, 20);
    await typed.answer();
    expect((await speechWorker.kill()).running).toBe(false);
    const cut = await Promise.all(inFlight);
    for (const [i, c] of speakers.entries()) await expectRefused(c, cut[i]!);

    // Down: voice is refused, typing works, for speakers and the typed interview alike.
    for (let round = 0; round < 2; round++) {
      const down = await Promise.all(speakers.map((c) => sendAudioAnswer(c.sessionId, c.token, c.turn)));
      for (const [i, c] of speakers.entries()) await expectRefused(c, down[i]!);
      await typed.answer();
    }
    await speakers[0]!.answer();

    // Restarted on the same address: voice works again for every speaker.
    const restarted = await speechWorker.start();
    expect(restarted).toMatchObject({ running: true, starts: startsBefore + 1 });
    await Promise.all(speakers.map((c) => untilVoiceAccepted(c)));
    await typed.answer();
    for (const c of speakers) expect((await answerByVoice(c)).status).toBe(200);

    // Every acknowledged answer (typed or spoken) is in D1 once; nothing refused is.
    expect(await Promise.all(all.map((c) => c.stub.flush()))).toEqual(all.map(() => 0));
    expect(await ledgerMismatches(all)).toEqual([]);
    expect(typed.acknowledged.size).toBe(5);
    expect(speakers.map((c) => [...c.acknowledged.values()].filter((a) => a === SPOKEN).length)).toEqual([3, 3, 3]);
    for (const c of all) c.socket.close();
  });
});
