/**
 * Voice on the interview socket, end to end: the Worker in workerd, the real speech worker
 * (tiny generated models, Silero VAD) over its realtime endpoint and streamed synthesis, and
 * espeak-ng speech streamed over the socket in 20-100 ms frames.
 */
import { describe, expect, it } from "vitest";
import { connectVoice, noisePcm, silencePcm, speechPcm, startVoiceInterview, streamPcm, type VoiceFrame } from "./voice-socket.ts";
import { interviewOf } from "../workerd/socket-client.ts";

const types = (frames: VoiceFrame[]) => frames.map((f) => f.type);
/** The voice messages and the turn's usual replies, in order (other messages, e.g. feedback, left out). */
const VOICE_ORDER = new Set(["speech_started", "transcript", "no_speech", "tips", "question", "turn_timing", "error", "audio_out_start", "audio_out_end"]);
const voiceOrder = (frames: VoiceFrame[]) => types(frames).filter((t) => VOICE_ORDER.has(t));

describe("spoken answers", () => {
  it("streams an answer; the server's voice activity detection ends it: partials, transcript with server metrics, tips, question, turn_timing", async () => {
    const { socket, question } = await startVoiceInterview({ audio: { input: "pcm16" } });
    expect(question.turn).toBe(0);
    socket.send({ type: "audio_start", turn: 0 });
    streamPcm(socket, speechPcm(), 20);
    streamPcm(socket, silencePcm(1.5), 100);
    const frames = await socket.collectUntil("turn_timing");
    expect(voiceOrder(frames)).toEqual(["speech_started", "transcript", "tips", "question", "turn_timing"]);
    const transcript = frames.find((f) => f.type === "transcript")!;
    expect(transcript).toMatchObject({ turn: 0, text: expect.stringMatching(/hello world/i) });
    expect((transcript.words as unknown[]).length).toBeGreaterThan(0);
    expect(transcript.metrics).toMatchObject({ fillers: 0, speechSeconds: expect.any(Number) });
    for (const delta of frames.filter((f) => f.type === "transcript_delta")) expect(delta).toMatchObject({ turn: 0, text: expect.any(String) });
    expect(frames.find((f) => f.type === "question")).toMatchObject({ turn: 1 });
    const timing = frames.at(-1)!;
    expect(timing).toMatchObject({ turn: 0, stages: { transcription: expect.any(Number), model: expect.any(Number), synthesis: null } });
    expect(timing.totalMs).toBeGreaterThanOrEqual(0);
    // The transcript and the ledger are numbered, so a resumed client gets them in the replay.
    expect(transcript.seq).toBeTypeOf("number");
    expect(timing.seq).toBeTypeOf("number");
    socket.close();
  });
});
