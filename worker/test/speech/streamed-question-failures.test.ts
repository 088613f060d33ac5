/**
 * A question voiced while the model writes it, when the speech worker fails or no message
 * comes (durable/voice/streamed-question.ts through the real InterviewerVoice): the speech
 * client is the real one, its HTTP answered by a stand-in (speech-client.test.ts does the same)
 * that fails the calls a test picks. The end-to-end runs with the real speech worker, where a
 * failure cannot be placed on one sentence, are in test/voice-llm.
 *
 * - The second sentence fails after the first was sent: `speech_unavailable` is told once, and
 *   the audio sent is closed with `audio_out_end` holding the first sentence's words.
 * - The first sentence fails: nothing is told; the question is voiced from its text as any
 *   other message.
 * - No message follows (the turn ended without this question): the audio is withdrawn,
 *   `audio_out_cancel {reason: "withdrawn"}`, and the turn has no first audio byte.
 */
import { describe, expect, it } from "vitest";
import { SpeechClient } from "../../src/clients/speech-client.ts";
import { InterviewerVoice } from "../../src/durable/voice/interviewer-voice.ts";
import type { Job, Voicing } from "../../src/durable/voice/audio-out.ts";

const QUESTION = "Tell me about a project you led. What was the hardest part?";
const FIRST = "Tell me about a project you led.";

/** A timed-speech reply for `input`: 0.3 s of silence per word, at 1 kHz, and each word's time in it. */
function timedSpeech(input: string): Response {
  const words = [...input.matchAll(/[\p{L}\p{N}']+/gu)].map((m, i) => ({ word: m[0], start: i * 0.3, end: i * 0.3 + 0.25, from: m.index, to: m.index + m[0].length }));
  const audio = btoa("\0".repeat(2 * 300 * words.length));
  return Response.json({ sample_rate: 1_000, timing: "model", words, audio });
}

/** The interviewer's voice with a real speech client whose calls for `failing` inputs answer 503. */
function voiceWith(fails: (input: string, call: number) => boolean) {
  const frames: (string | ArrayBuffer)[] = [];
  const told: string[] = [];
  const kv = new Map<string, unknown>();
  let calls = 0;
  const client = new SpeechClient({
    baseUrl: "http://speech.test:8788/",
    apiKey: "k3y",
    fetch: async (input, init) => {
      const request = new Request(input as string, init);
      const { input: text } = (await request.json()) as { input: string };
      if (fails(text, calls++)) return Response.json({ error: { message: "model crashed", type: "server_error", param: null, code: null } }, { status: 503 });
      return timedSpeech(text);
    },
  });
  const voice = new InterviewerVoice({
    sockets: () => [{ send: (data: string | ArrayBuffer) => frames.push(data) } as unknown as WebSocket],
    client: () => client,
    kv: { get: (key: string) => kv.get(key), put: (key: string, value: unknown) => void kv.set(key, value) } as unknown as SyncKvStorage,
    unavailable: (reason) => told.push(reason),
  });
  const messages = () => frames.filter((f): f is string => typeof f === "string").map((f) => JSON.parse(f) as { type: string; reason?: string; words?: { word: string }[] });
  const order = () => frames.map((f) => (typeof f === "string" ? (JSON.parse(f) as { type: string }).type : "binary")).filter((t, i, all) => t !== "binary" || all[i - 1] !== "binary");
  return { voice, told, messages, order };
}

const voicing: Voicing = { sessionId: "s-1", turn: 2, style: "neutral", format: "pcm16" };
const job: Job = { ...voicing, of: "question", text: QUESTION };

/** Streams the question as the model would, then its message. */
async function streamThenSend(voice: InterviewerVoice, send = true): Promise<unknown> {
  const stream = voice.streamQuestion(voicing);
  for (const delta of ["Tell me about ", "a project you led. ", "What was the ", "hardest part?"]) stream.push(delta);
  stream.done(QUESTION);
  if (send) voice.speak(job);
  else stream.settle();
  return voice.firstByte(voicing.turn);
}

describe("a streamed question when speech fails", () => {
  it("the second sentence fails after the first was sent: told once, and the first sentence's audio is closed", async () => {
    const { voice, told, messages, order } = voiceWith((input) => input !== FIRST);
    const first = await streamThenSend(voice);
    await expect.poll(() => order().at(-1)).toBe("audio_out_end");
    expect(order()).toEqual(["audio_out_start", "binary", "audio_out_end"]);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain("model crashed");
    expect(messages().at(-1)!.words!.map((w) => w.word)).toEqual(["Tell", "me", "about", "a", "project", "you", "led"]);
    expect(first).not.toBeNull();
  });

  it("the first sentence fails: nothing is told, and the question is voiced from its text as any other message", async () => {
    const { voice, told, messages, order } = voiceWith((_input, call) => call === 0);
    await streamThenSend(voice);
    await expect.poll(() => order().at(-1)).toBe("audio_out_end");
    expect(told).toEqual([]);
    expect(order()).toEqual(["audio_out_start", "binary", "audio_out_end"]);
    expect(messages().at(-1)!.words!.map((w) => w.word).join(" ")).toBe("Tell me about a project you led What was the hardest part");
  });

  it("no message follows: the audio sent is withdrawn and the turn has no first audio byte", async () => {
    const { voice, told, messages, order } = voiceWith(() => false);
    const first = await streamThenSend(voice, false);
    expect(first).toBeNull();
    await expect.poll(() => order().at(-1)).toBe("audio_out_cancel");
    expect(order()[0]).toBe("audio_out_start");
    expect(messages().at(-1)).toEqual({ type: "audio_out_cancel", turn: 2, reason: "withdrawn" });
    expect(told).toEqual([]);
  });
});
