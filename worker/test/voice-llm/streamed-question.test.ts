/**
 * A question voiced while the model writes it (`stream: true` with `audio.output`), end to
 * end: the Worker in workerd, the fake NVIDIA server streaming the question over real SSE, and
 * the real speech worker (tiny models) synthesising it. The fake holds the rest of its stream
 * after the first sentence until the test has seen the first audio byte, so "audio before the
 * model finished" is shown by the order of events, not by a clock: without the feature the
 * first audio byte could only follow the whole question, which the held stream never finishes.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeCalls, resetFake, scriptFake } from "../workerd/llm-fake-control.ts";
import { connectVoice, speechPcm, streamPcm, silencePcm, type VoiceFrame, type VoiceSocket } from "../speech-workerd/voice-socket.ts";

const release = () => fetch(`${(env as unknown as { FAKE_NVIDIA_URL: string }).FAKE_NVIDIA_URL}/__fake/release`, { method: "POST" });
const types = (frames: VoiceFrame[]) => frames.map((f) => f.type);
const AUDIO = new Set(["audio_out_start", "audio_out_end", "audio_out_cancel", "binary", "question"]);
/** The audio messages in order, each run of binary frames as one "binary"; `omit` left out first. */
const audioOrder = (frames: VoiceFrame[], omit: string[] = []) =>
  types(frames)
    .filter((t) => AUDIO.has(t) && !omit.includes(t))
    .filter((t, i, all) => t !== "binary" || all[i - 1] !== "binary");

/** A question the model streams as tokens; the stream is held after " What" until `release()`. */
const TWO_SENTENCES = ["Tell", " me", " about", " a", " project", " you", " led.", " What", " was", " the", " hardest", " part."];
const HOLD_AFTER_FIRST_SENTENCE = 8;

type Word = { word: string; start: number; end: number; from: number; to: number };

/** The words index `text`: each span is the word as written, in order of time. */
function expectSpansInto(text: string, words: Word[]): void {
  expect(words.length).toBeGreaterThan(0);
  let lastStart = -1;
  for (const w of words) {
    expect(text.slice(w.from, w.to)).toBe(w.word);
    expect(w.word).toMatch(/[\p{L}\p{N}]/u);
    expect(w.start).toBeGreaterThanOrEqual(lastStart);
    lastStart = w.start;
  }
}

async function startStreamed(fields: Record<string, unknown> = {}): Promise<VoiceSocket> {
  const socket = await connectVoice();
  socket.send({ type: "start_session", consent: true, stream: true, audio: { output: "pcm16" }, ...fields });
  await socket.next("session_started");
  return socket;
}

beforeEach(async () => {
  await resetFake();
});

describe("a question voiced while the model writes it", () => {
  it("sends the first sentence's audio before the model has finished; one audio_out_start ... audio_out_end whose spans index the final text", async () => {
    await scriptFake([{ purpose: "question", times: 1, reply: { chunks: TWO_SENTENCES, holdAfter: HOLD_AFTER_FIRST_SENTENCE } }]);
    const socket = await startStreamed();
    const before = await socket.collectUntil("binary");
    // The model is still writing: its call has not ended, and no question exists yet.
    expect(types(before)).not.toContain("question");
    expect(types(before)).toContain("interviewer_delta");
    expect(before.find((f) => f.type === "audio_out_start")).toMatchObject({ turn: 0, of: "question", format: "pcm16", sampleRate: expect.any(Number) });
    const call = (await fakeCalls()).find((c) => c.purpose === "question")!;
    expect(call).toMatchObject({ stream: true, endedAt: null });

    await release();
    const after = await socket.collectUntil("audio_out_end");
    const all = [...before, ...after];
    // The rest of the question may be synthesised before or after the question message goes out.
    expect(audioOrder(all, ["binary"])).toEqual(["audio_out_start", "question", "audio_out_end"]);
    expect(audioOrder(all).slice(0, 2)).toEqual(["audio_out_start", "binary"]);
    const question = all.find((f) => f.type === "question")!;
    // The cleaning ends the question with "?": the streamed "part." is not what the final text says, word for word.
    expect(question).toMatchObject({ turn: 0, source: "llm", question: "Tell me about a project you led. What was the hardest part?" });
    const end = all.at(-1)!;
    expect(end).toMatchObject({ type: "audio_out_end", turn: 0, durationMs: expect.any(Number) });
    const text = question.question as string;
    const words = end.words as Word[];
    expectSpansInto(text, words);
    // Both sentences are captioned: the streamed one, and the rest synthesised from the model's text.
    expect(words[0]!.from).toBe(0);
    expect(words.some((w) => w.from >= text.indexOf("What"))).toBe(true);
    const bytes = after.concat(before).filter((f) => f.type === "binary").reduce((n, f) => n + f.bytes!.byteLength, 0);
    expect(end.durationMs).toBe(Math.round((bytes / 2 / (before.find((f) => f.type === "audio_out_start")!.sampleRate as number)) * 1000));
    socket.close();
  });

  it("an unusable reply: the audio already sent is withdrawn with audio_out_cancel, and the heuristics' question is voiced in full", async () => {
    await scriptFake([{ purpose: "question", times: 1, reply: { chunks: ["Sure!", " Here", " is", " one", " for", " you."], holdAfter: 2 } }]);
    const socket = await startStreamed();
    const before = await socket.collectUntil("binary");
    expect(types(before)).not.toContain("question");
    await release();
    const after = await socket.collectUntil("audio_out_end");
    const all = [...before, ...after];
    // Withdrawn before the new audio starts; the question may come before or after the withdrawal.
    expect(audioOrder(all, ["question"])).toEqual(["audio_out_start", "binary", "audio_out_cancel", "audio_out_start", "binary", "audio_out_end"]);
    expect(all.find((f) => f.type === "audio_out_cancel")).toEqual({ type: "audio_out_cancel", turn: 0, reason: "replaced" });
    const question = all.find((f) => f.type === "question")!;
    expect(question).toMatchObject({ turn: 0, source: "fallback" });
    expect(question.question).not.toMatch(/Sure/);
    expectSpansInto(question.question as string, all.at(-1)!.words as Word[]);
    socket.close();
  });

  it("a valid question whose words differ from what was voiced (a label the cleaning strips): withdrawn and voiced anew from the final text", async () => {
    const labelled = ["Question:", " Tell", " me", " about", " a", " project", " you", " led.", " What", " was", " hard?"];
    await scriptFake([{ purpose: "question", times: 1, reply: { chunks: labelled, holdAfter: 9 } }]);
    const socket = await startStreamed();
    const before = await socket.collectUntil("binary");
    expect(types(before)).not.toContain("question");
    await release();
    const after = await socket.collectUntil("audio_out_end");
    const all = [...before, ...after];
    expect(audioOrder(all, ["question"])).toEqual(["audio_out_start", "binary", "audio_out_cancel", "audio_out_start", "binary", "audio_out_end"]);
    expect(all.find((f) => f.type === "audio_out_cancel")).toMatchObject({ turn: 0, reason: "replaced" });
    const question = all.find((f) => f.type === "question")!;
    expect(question).toMatchObject({ source: "llm", question: "Tell me about a project you led. What was hard?" });
    const words = all.at(-1)!.words as Word[];
    expectSpansInto(question.question as string, words);
    expect(words.map((w) => w.word)).not.toContain("Question");
    socket.close();
  });

  it("a spoken answer's turn_timing says the question was streamed, and its stages still add up to the total", async () => {
    // Turn 0: a typed answer gets the follow-up; the spoken answer to it gets the next main question, streamed.
    await scriptFake([
      { purpose: "question", times: 1, reply: { chunks: ["Tell", " me", " about", " your", " team?"] } },
      { purpose: "question", times: 1, reply: { chunks: TWO_SENTENCES, holdAfter: HOLD_AFTER_FIRST_SENTENCE } },
    ]);
    const socket = await startStreamed({ audio: { input: "pcm16", output: "pcm16" } });
    await socket.collectUntil("audio_out_end");
    socket.send({ type: "user_answer", answer: "I led the migration of our billing system to a new provider in three months." });
    await socket.collectUntil("audio_out_end");
    socket.send({ type: "audio_start", turn: 1 });
    streamPcm(socket, speechPcm().subarray(0, 16_000 * 2), 20);
    streamPcm(socket, silencePcm(1.5), 100);
    const before = await socket.collectUntil("binary");
    expect(types(before)).toContain("transcript");
    expect(types(before)).not.toContain("question");
    await release();
    const after = await socket.collectUntil("turn_timing");
    const timing = after.at(-1)!;
    expect(after.find((f) => f.type === "question")).toMatchObject({ turn: 2, source: "llm" });
    expect(timing).toMatchObject({ turn: 1, streamed: true, stages: { transcription: expect.any(Number), model: expect.any(Number), synthesis: expect.any(Number) } });
    const stages = timing.stages as { transcription: number; model: number; synthesis: number };
    expect(stages.transcription + stages.model + stages.synthesis).toBe(timing.totalMs);
    socket.close();
  });

  it("without stream the question's audio starts only after its text, as before", async () => {
    await scriptFake([{ purpose: "question", times: 1, reply: { content: JSON.stringify({ question: "Tell me about a project you led. What was the hardest part?" }) } }]);
    const socket = await startStreamed({ stream: false });
    const frames = await socket.collectUntil("audio_out_end");
    expect(audioOrder(frames)).toEqual(["question", "audio_out_start", "binary", "audio_out_end"]);
    expect(types(frames)).not.toContain("interviewer_delta");
    socket.close();
  });
});
