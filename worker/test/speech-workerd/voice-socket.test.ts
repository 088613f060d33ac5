/**
 * Voice on the interview socket, end to end: the Worker in workerd, the real speech worker
 * (tiny generated models, Silero VAD) over its realtime endpoint and streamed synthesis, and
 * espeak-ng speech streamed over the socket in 20-100 ms frames.
 */
import { describe, expect, it } from "vitest";
import { connectVoice, noisePcm, silencePcm, speechPcm, startVoiceInterview, streamPcm, type VoiceFrame } from "./voice-socket.ts";
import { replicated } from "../workerd/rest-client.ts";
import { MAX_FRAME_BYTES, MAX_SPOKEN_ANSWER_SECONDS } from "@interview/shared";

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

  it("push-to-talk: audio_end ends the answer at once", async () => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    // "Hello world." only: the release comes before the pause that VAD would end on.
    streamPcm(socket, speechPcm().subarray(0, 16_000 * 2), 100);
    // A client streaming in real time releases after the server heard speech start (the audio
    // here goes faster than real time, so the release waits for it).
    const heard = await socket.collectUntil("speech_started");
    socket.send({ type: "audio_end" });
    const frames = [...heard, ...(await socket.collectUntil("turn_timing"))];
    expect(voiceOrder(frames)).toEqual(["speech_started", "transcript", "tips", "question", "turn_timing"]);
    expect(frames.find((f) => f.type === "transcript")).toMatchObject({ turn: 0, text: expect.stringMatching(/hello world/i) });
    // A late audio_end (the answer is over) and audio after it change nothing.
    socket.send({ type: "audio_end" });
    streamPcm(socket, silencePcm(0.2), 100);
    socket.send({ type: "ping" });
    expect(await socket.next()).toMatchObject({ type: "pong" });
    socket.close();
  });

  it("an answer reaching the 120 s cap is ended there: audio_too_long, and what was said is transcribed as the answer", async () => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    // "Hello world." over and over, without the pause VAD would end on: only the cap can end it.
    const hello = speechPcm().subarray(0, 16_000 * 2);
    const seconds = MAX_SPOKEN_ANSWER_SECONDS + 2;
    for (let i = 0; i < seconds; i++) streamPcm(socket, hello, 100);
    const frames = await socket.collectUntil("turn_timing", "no_speech");
    const kinds = voiceOrder(frames);
    expect(kinds.filter((t) => t !== "speech_started")).toEqual(["error", "transcript", "tips", "question", "turn_timing"]);
    const error = frames.find((f) => f.type === "error")!;
    expect(error).toMatchObject({ code: "audio_too_long", message: expect.stringContaining(`${MAX_SPOKEN_ANSWER_SECONDS} s`) });
    // Live only, like the other voice errors: not numbered.
    expect(error.seq).toBeUndefined();
    const transcript = frames.find((f) => f.type === "transcript")!;
    expect(transcript).toMatchObject({ turn: 0, text: expect.stringMatching(/hello world/i) });
    // The speech heard is the cap's, not all that was sent.
    expect((transcript.metrics as { speechSeconds: number }).speechSeconds).toBeLessThanOrEqual(MAX_SPOKEN_ANSWER_SECONDS);
    // Audio after the cap, and a late audio_end, change nothing.
    streamPcm(socket, hello, 100);
    socket.send({ type: "audio_end" });
    socket.send({ type: "ping" });
    expect(await socket.next()).toMatchObject({ type: "pong" });
    socket.close();
    // Bounds the wait only: 2 minutes of audio to buffer, VAD and transcribe on a shared CPU.
  }, 90_000);

  it("an audio frame over 64 KiB is refused (too_large) and left out; the answer goes on", async () => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    socket.send(new Uint8Array(MAX_FRAME_BYTES + 2));
    const refused = await socket.next("error");
    expect(refused).toMatchObject({ code: "too_large", message: expect.stringContaining(String(MAX_FRAME_BYTES + 2)) });
    expect(refused.seq).toBeUndefined();
    streamPcm(socket, speechPcm().subarray(0, 16_000 * 2), 100);
    const heard = await socket.collectUntil("speech_started");
    socket.send({ type: "audio_end" });
    const frames = [...heard, ...(await socket.collectUntil("turn_timing"))];
    expect(voiceOrder(frames)).toEqual(["speech_started", "transcript", "tips", "question", "turn_timing"]);
    expect(frames.find((f) => f.type === "transcript")).toMatchObject({ turn: 0, text: expect.stringMatching(/hello world/i) });
    socket.close();
  });

  it.each([
    ["silence", () => silencePcm(1.5)],
    ["noise", () => noisePcm(1.5)],
  ])("%s is no_speech, not an answer: the turn stays open for a typed answer", async (_name, audio) => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16" } });
    socket.send({ type: "audio_start", turn: 0 });
    streamPcm(socket, audio(), 60);
    socket.send({ type: "audio_end" });
    const frames = await socket.collectUntil("no_speech", "transcript");
    expect(frames.at(-1)).toMatchObject({ type: "no_speech", turn: 0, seq: expect.any(Number) });
    socket.send({ type: "user_answer", answer: "I led the migration of our billing system to a new provider." });
    const replies = await socket.collectUntil("question");
    expect(replies.find((f) => f.type === "tips")).toMatchObject({ turn: 1 });
    socket.close();
  });
});

describe("interviewer audio", () => {
  it("voices each question: audio_out_start, pcm16 frames, audio_out_end with word spans into the text", async () => {
    const { socket, question } = await startVoiceInterview({ audio: { output: "pcm16" }, consent: true });
    const start = await socket.next("audio_out_start");
    expect(start).toMatchObject({ turn: 0, of: "question", format: "pcm16", sampleRate: expect.any(Number) });
    const frames = await socket.collectUntil("audio_out_end");
    const audio = frames.filter((f) => f.type === "binary");
    expect(audio.length).toBe(frames.length - 1);
    const bytes = audio.reduce((sum, f) => sum + f.bytes!.byteLength, 0);
    for (const f of audio) expect(f.bytes!.byteLength % 2).toBe(0);
    const end = frames.at(-1)!;
    expect(end.durationMs).toBe(Math.round((bytes / 2 / (start.sampleRate as number)) * 1000));
    const text = question.question as string;
    const words = end.words as { word: string; start: number; end: number; from: number; to: number }[];
    expect(words.length).toBeGreaterThan(0);
    let last = 0;
    for (const w of words) {
      expect(text.slice(w.from, w.to)).toBe(w.word);
      expect(w.start).toBeGreaterThanOrEqual(last);
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      last = w.end;
    }
    expect(last).toBeLessThanOrEqual((end.durationMs as number) / 1000);
    // The speech worker's own timings (its with-timestamps route), not the orchestrator's estimate.
    expect(["model", "estimated"]).toContain(end.timing);
    // A typed answer's next question is voiced too, after its text.
    socket.send({ type: "user_answer", answer: "We cut the deploy time in half by caching builds." });
    const next = await socket.collectUntil("audio_out_end");
    const order = voiceOrder(next);
    expect(order.indexOf("question")).toBeLessThan(order.indexOf("audio_out_start"));
    expect(next.find((f) => f.type === "audio_out_start")).toMatchObject({ turn: 1, of: "follow_up" });
    socket.close();
  });

  it("wav output starts with a WAV header", async () => {
    const { socket } = await startVoiceInterview({ audio: { output: "wav" } });
    expect(await socket.next("audio_out_start")).toMatchObject({ format: "wav" });
    const first = await socket.next("binary");
    expect(String.fromCharCode(...first.bytes!.subarray(0, 4))).toBe("RIFF");
    await socket.collectUntil("audio_out_end");
    socket.close();
  });

  it("playback: what the candidate heard is stored with the question (question_heard)", async () => {
    const { socket, started, question } = await startVoiceInterview({ audio: { output: "pcm16" }, consent: true });
    const end = (await socket.collectUntil("audio_out_end")).at(-1)!;
    const words = end.words as { end: number; to: number }[];
    const cut = words[1]!.end * 1000 + 1;
    socket.send({ type: "playback", turn: 0, playedMs: cut });
    socket.send({ type: "playback", turn: 0, playedMs: 10 * (end.durationMs as number) });
    socket.send({ type: "ping" });
    await socket.next("pong");
    // Through D1 into the export, as researchers read it.
    const exported = await replicated(started.resumeToken as string, started.session_id as string);
    const heard = exported.telemetry.filter((r) => r.event_type === "question_heard");
    expect(heard.map((r) => r.payload)).toEqual([
      { turn: 0, of: "question", playedMs: cut, durationMs: end.durationMs, heard: (question.question as string).slice(0, words[1]!.to), complete: false },
      { turn: 0, of: "question", playedMs: end.durationMs, durationMs: end.durationMs, heard: (question.question as string).slice(0, words.at(-1)!.to), complete: true },
    ]);
    socket.close();
  });

  it("a spoken answer's turn_timing measures end of speech to the first audio byte of the next question", async () => {
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16", output: "pcm16" } });
    await socket.collectUntil("audio_out_end");
    socket.send({ type: "audio_start", turn: 0 });
    streamPcm(socket, speechPcm().subarray(0, 16_000 * 2), 50);
    const heard = await socket.collectUntil("speech_started");
    socket.send({ type: "audio_end" });
    const frames = [...heard, ...(await socket.collectUntil("turn_timing"))];
    const order = voiceOrder(frames);
    expect(order.slice(0, 4)).toEqual(["speech_started", "transcript", "tips", "question"]);
    expect(order).toContain("audio_out_start");
    const timing = frames.at(-1)!;
    const stages = timing.stages as { transcription: number; model: number; synthesis: number };
    expect(stages.synthesis).toBeTypeOf("number");
    expect(timing.totalMs).toBe(stages.transcription + stages.model + stages.synthesis);
    // The question's audio may be complete before the ledger is written.
    if (!order.includes("audio_out_end")) await socket.collectUntil("audio_out_end");
    socket.close();
  });
});

describe("opting in", () => {
  it("without audio the protocol is today's: binary frames are refused, voice messages need the opt-in", async () => {
    const { socket } = await startVoiceInterview({});
    socket.send(new Uint8Array(640));
    expect(await socket.next("error")).toMatchObject({ code: "binary_frame" });
    socket.send({ type: "audio_start", turn: 0 });
    expect(await socket.next("error")).toMatchObject({ code: "audio_not_enabled" });
    socket.send({ type: "playback", turn: 0, playedMs: 100 });
    expect(await socket.next("error")).toMatchObject({ code: "audio_not_enabled" });
    socket.send({ type: "user_answer", answer: "A typed answer about scaling the API." });
    const replies = await socket.collectUntil("question");
    expect(replies.some((f) => f.type === "audio_out_start" || f.type === "binary")).toBe(false);
    socket.close();
  });

  it("voice messages are validated: before a session, a stale turn, bad fields, a second audio_start", async () => {
    const early = await connectVoice();
    early.send({ type: "audio_start", turn: 0 });
    expect(await early.next("error")).toMatchObject({ code: "no_session" });
    early.close();
    const { socket } = await startVoiceInterview({ audio: { input: "pcm16", output: "pcm16" } });
    await socket.collectUntil("audio_out_end");
    socket.send({ type: "audio_start", turn: 3 });
    expect(await socket.next("error")).toMatchObject({ code: "stale_turn" });
    socket.send({ type: "audio_start", turn: -1 });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("audio_start.turn") });
    socket.send({ type: "playback", turn: 0, playedMs: "all" });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("playback.playedMs") });
    socket.send({ type: "playback", turn: 7, playedMs: 10 });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("turn 7") });
    socket.send({ type: "audio_start", turn: 0 });
    socket.send({ type: "audio_start", turn: 0 });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("under way") });
    socket.close();
  });

  it("an invalid audio option is refused and nothing starts", async () => {
    const socket = await connectVoice();
    socket.send({ type: "start_session", audio: { output: "mp3" } });
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message", message: expect.stringContaining("start_session.audio.output") });
    socket.close();
  });
});
