import { describe, expect, it } from "vitest";
import { parseClientFrame, parseVoiceFrame } from "../src/index.ts";

const voice = (frame: unknown, hasSession = true) => parseVoiceFrame(JSON.stringify(frame), { hasSession });

describe("voice frames", () => {
  it("audio_start, audio_end and playback are validated", () => {
    expect(voice({ type: "audio_start", turn: 2 })).toEqual({ ok: true, message: { type: "audio_start", turn: 2 } });
    expect(voice({ type: "audio_end" })).toEqual({ ok: true, message: { type: "audio_end" } });
    expect(voice({ type: "playback", turn: 0, playedMs: 1250.5 })).toEqual({ ok: true, message: { type: "playback", turn: 0, playedMs: 1250.5 } });
    expect(voice({ type: "audio_start" })).toMatchObject({ ok: false, code: "invalid_message", message: expect.stringContaining("audio_start.turn") });
    expect(voice({ type: "audio_start", turn: 1.5 })).toMatchObject({ ok: false, code: "invalid_message" });
    expect(voice({ type: "playback", turn: 0, playedMs: -1 })).toMatchObject({ ok: false, code: "invalid_message", message: expect.stringContaining("playback.playedMs") });
  });

  it("before a session: no_session, whatever the fields", () => {
    expect(voice({ type: "audio_start", turn: "x" }, false)).toMatchObject({ ok: false, code: "no_session" });
  });

  it("anything else is not a voice frame (null), even with a voice type inside its text", () => {
    expect(parseVoiceFrame(JSON.stringify({ type: "user_answer", answer: '"type":"playback"' }), { hasSession: true })).toBeNull();
    expect(parseVoiceFrame('{"type":"audio_end"', { hasSession: true })).toBeNull();
    expect(parseVoiceFrame(JSON.stringify({ type: "audio_end", pad: "x".repeat(2_000) }), { hasSession: true })).toBeNull();
    expect(voice({ type: "ping" })).toBeNull();
  });

  it("start_session.audio: pcm16 in, pcm16 or wav out; anything else is invalid_message", () => {
    const start = (audio: unknown) => parseClientFrame(JSON.stringify({ type: "start_session", audio }), { hasSession: false });
    expect(start({ input: "pcm16", output: "wav" })).toMatchObject({ ok: true, message: { audio: { input: "pcm16", output: "wav" } } });
    expect(start({ output: "mp3" })).toMatchObject({ ok: false, code: "invalid_message", message: expect.stringContaining("start_session.audio.output") });
    expect(start({ input: "opus" })).toMatchObject({ ok: false, code: "invalid_message" });
  });
});
