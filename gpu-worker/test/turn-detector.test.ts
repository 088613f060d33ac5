/** Turn detection from per-frame speech probabilities (src/pipelines/turn-detector.ts): start, stop, hysteresis. */
import { describe, expect, it } from "vitest";
import { FRAME_SAMPLES, TurnDetector, type TurnEvent } from "../src/pipelines/turn-detector.ts";

/** 32 ms frames; 700 ms of silence = 22 frames, 96 ms of speech = 3 frames. */
function run(probs: number[], options = { threshold: 0.5, silenceDurationMs: 700, minSpeechMs: 96 }, detector = new TurnDetector(options)): Array<TurnEvent & { frame: number }> {
  const events: Array<TurnEvent & { frame: number }> = [];
  probs.forEach((p, i) => {
    const e = detector.push(p, i * FRAME_SAMPLES);
    if (e) events.push({ ...e, frame: i });
  });
  return events;
}

const rep = (p: number, n: number) => new Array<number>(n).fill(p);

describe("TurnDetector", () => {
  it("starts after 96 ms of voiced frames, dated at the first; stops after 700 ms of silence, dated at the first silent frame", () => {
    const events = run([...rep(0.1, 10), ...rep(0.9, 40), ...rep(0.05, 30)]);
    expect(events).toEqual([
      { type: "speech_started", sample: 10 * FRAME_SAMPLES, frame: 12 },
      { type: "speech_stopped", sample: 50 * FRAME_SAMPLES, frame: 50 + 22 - 1 },
    ]);
  });

  it("ignores voiced bursts shorter than the minimum (a click)", () => {
    expect(run([...rep(0.1, 5), 0.9, 0.9, 0.1, 0.9, ...rep(0.1, 30)])).toEqual([]);
  });

  it("a pause shorter than the silence duration does not end the turn", () => {
    const events = run([...rep(0.9, 10), ...rep(0.05, 15), ...rep(0.9, 10), ...rep(0.05, 25)]);
    expect(events.map((e) => e.type)).toEqual(["speech_started", "speech_stopped"]);
    expect(events[1]!.sample).toBe(35 * FRAME_SAMPLES);
  });

  it("hysteresis: inside speech, frames between threshold − 0.15 and threshold keep it going", () => {
    const events = run([...rep(0.9, 10), ...rep(0.4, 40), ...rep(0.3, 25)]);
    expect(events.map((e) => [e.type, e.sample / FRAME_SAMPLES])).toEqual([["speech_started", 0], ["speech_stopped", 50]]);
  });

  it("silence_duration_ms and threshold are honoured, and configure() changes them mid-turn", () => {
    expect(run([...rep(0.9, 10), ...rep(0.05, 10)], { threshold: 0.5, silenceDurationMs: 300, minSpeechMs: 96 }).map((e) => e.type)).toEqual(["speech_started", "speech_stopped"]);
    expect(run(rep(0.6, 20), { threshold: 0.7, silenceDurationMs: 300, minSpeechMs: 96 })).toEqual([]);
    const d = new TurnDetector({ threshold: 0.5, silenceDurationMs: 2000, minSpeechMs: 96 });
    rep(0.9, 5).forEach((p, i) => d.push(p, i * FRAME_SAMPLES));
    expect(d.speaking).toBe(true);
    d.configure({ threshold: 0.5, silenceDurationMs: 100, minSpeechMs: 96 });
    const stop = [0.05, 0.05, 0.05, 0.05].map((p, i) => d.push(p, (5 + i) * FRAME_SAMPLES)).find(Boolean);
    expect(stop).toEqual({ type: "speech_stopped", sample: 5 * FRAME_SAMPLES });
  });

  it("reset() forgets a turn in progress", () => {
    const d = new TurnDetector({ threshold: 0.5, silenceDurationMs: 700, minSpeechMs: 96 });
    rep(0.9, 5).forEach((p, i) => d.push(p, i * FRAME_SAMPLES));
    d.reset();
    expect(d.speaking).toBe(false);
    expect(rep(0.05, 30).map((p, i) => d.push(p, (5 + i) * FRAME_SAMPLES)).filter(Boolean)).toEqual([]);
  });
});
