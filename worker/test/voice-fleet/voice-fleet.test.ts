/**
 * Spoken answers with two speech workers: one dead is passed over with no answer lost; both
 * killed mid-answer is `speech_unavailable`, the interview goes on in text, and voice is back
 * once the workers are.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { forgetDependencyBreakersForTests, healthKey } from "../../src/health/dependencies.ts";
import { forgetSpeechPoolForTests, speechBases } from "../../src/speech/speech-pool.ts";
import { speechPcm, silencePcm, startVoiceInterview, streamPcm, type VoiceSocket, type VoiceFrame } from "../speech-workerd/voice-socket.ts";

const control = (env as unknown as { FLEET_CONTROL_URL: string }).FLEET_CONTROL_URL;
const worker = async (action: "start" | "kill", i: 0 | 1) => {
  const response = await fetch(`${control}/${action}/${i}`, { method: "POST" });
  if (!response.ok) throw new Error(`${action} ${i}: ${await response.text()}`);
};

// Each test starts with both workers in good health: the kills of one test must not leave
// an open circuit (30 s cooldown) for the next.
beforeEach(async () => {
  const namespace = env.SERVICE_HEALTH!;
  for (const base of speechBases(env.SPEECH_WORKER_URL)) await namespace.get(namespace.idFromName(healthKey("speech", base))).reset();
  forgetDependencyBreakersForTests();
  forgetSpeechPoolForTests();
});

afterEach(async () => {
  await worker("start", 0);
  await worker("start", 1);
});

/** One spoken answer to `turn`; the frames up to its end (turn_timing, no_speech or error). */
async function speak(socket: VoiceSocket, turn: number): Promise<VoiceFrame[]> {
  socket.send({ type: "audio_start", turn });
  streamPcm(socket, speechPcm(), 40);
  streamPcm(socket, silencePcm(1.2), 100);
  return socket.collectUntil("turn_timing", "error", "no_speech");
}

describe("several speech workers", () => {
  it("a dead worker in the pool costs no answer: each spoken answer reaches the live one", async () => {
    await worker("kill", 0);
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    for (const turn of [0, 1, 2]) {
      const frames = await speak(socket, turn);
      expect(frames.at(-1), JSON.stringify(frames.at(-1))).toMatchObject({ type: "turn_timing", turn });
      expect(frames.find((f) => f.type === "transcript")).toMatchObject({ turn, text: expect.stringMatching(/hello world/i) });
    }
    socket.close();
  });

  it("the answer's worker killed mid-answer: another takes the whole answer again, nothing lost", async () => {
    // Only worker 0 up at the start, so it is the one that hears the answer.
    await worker("kill", 1);
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    streamPcm(socket, speechPcm().subarray(0, 16_000), 40);
    await socket.collectUntil("speech_started");
    await worker("start", 1);
    await worker("kill", 0);
    streamPcm(socket, speechPcm().subarray(16_000), 40);
    streamPcm(socket, silencePcm(1.2), 100);
    const frames = await socket.collectUntil("turn_timing", "error");
    expect(frames.at(-1), JSON.stringify(frames.at(-1))).toMatchObject({ type: "turn_timing", turn: 0 });
    expect(frames.find((f) => f.type === "transcript")).toMatchObject({ turn: 0, text: expect.stringMatching(/hello world/i) });
    socket.close();
  });

  it("both killed mid-answer: speech_unavailable, the interview goes on in text, and voice comes back with the workers", async () => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    streamPcm(socket, speechPcm().subarray(0, 16_000), 40);
    await socket.collectUntil("speech_started");
    await Promise.all([worker("kill", 0), worker("kill", 1)]);
    streamPcm(socket, speechPcm().subarray(16_000), 40);
    const failed = await socket.collectUntil("error");
    expect(failed.at(-1)).toMatchObject({ code: "speech_unavailable" });
    // Nothing was lost: the question is still open, and a typed answer takes it.
    socket.send({ type: "user_answer", answer: "I would shard the queue by customer and add back-pressure." });
    const replies = await socket.collectUntil("interviewer_message");
    expect(replies.find((f) => f.type === "tips")).toMatchObject({ turn: 1 });
    // No worker at all: refused, still in text.
    socket.send({ type: "audio_start", turn: 1 });
    expect((await socket.collectUntil("error")).at(-1)).toMatchObject({ code: "speech_unavailable" });
    await worker("start", 0);
    await worker("start", 1);
    const frames = await speak(socket, 1);
    expect(frames.at(-1)).toMatchObject({ type: "turn_timing", turn: 1 });
    socket.close();
  });

  it("interviewer audio with no worker: speech_unavailable after the question's text, and the next question is voiced again once a worker is back", async () => {
    const { socket } = await startVoiceInterview({ audio: { output: "pcm16" } });
    await socket.collectUntil("audio_out_end");
    await worker("kill", 0);
    await worker("kill", 1);
    socket.send({ type: "user_answer", answer: "I rewrote the scheduler to cut tail latency by a third." });
    const frames = await socket.collectUntil("error");
    const kinds = frames.map((f) => f.type);
    expect(kinds).toContain("question");
    expect(kinds.indexOf("question")).toBeLessThan(kinds.indexOf("error"));
    expect(kinds).not.toContain("audio_out_start");
    expect(frames.at(-1)).toMatchObject({ code: "speech_unavailable" });
    await worker("start", 0);
    socket.send({ type: "user_answer", answer: "We measured p99 before and after, and kept the old path behind a flag." });
    const next = await socket.collectUntil("audio_out_end", "error");
    expect(next.at(-1), JSON.stringify(next.filter((f) => f.type !== "binary"))).toMatchObject({ type: "audio_out_end" });
    expect(next.find((f) => f.type === "audio_out_start")).toMatchObject({ turn: 2 });
    socket.close();
  });
});
