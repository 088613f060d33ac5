import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { forgetDependencyBreakersForTests } from "../../src/health/dependencies.ts";
import { forgetSpeechPoolForTests, pickSpeechTarget, speechBases, SUSPECT_MS } from "../../src/speech/speech-pool.ts";

const env = (urls: string) => ({ SPEECH_WORKER_URL: urls, SERVICE_HEALTH: undefined });

afterEach(() => {
  vi.useRealTimers();
});

beforeEach(() => {
  forgetSpeechPoolForTests();
  forgetDependencyBreakersForTests();
});

describe("several speech workers", () => {
  it("SPEECH_WORKER_URL lists them, comma-separated; each becomes an API base once", () => {
    expect(speechBases(" http://a:8788/ , https://b/v1,,http://a:8788")).toEqual(["http://a:8788/v1", "https://b/v1"]);
    expect(speechBases(undefined)).toEqual([]);
    expect(pickSpeechTarget(env(" , "))).toBeNull();
  });

  it("picks the least busy; ties go round-robin", () => {
    const pool = env("http://a:1,http://b:2");
    const first = pickSpeechTarget(pool)!;
    first.begin();
    const second = pickSpeechTarget(pool)!;
    expect(second.base).not.toBe(first.base);
    second.begin();
    first.done(false);
    expect(pickSpeechTarget(pool)!.base).toBe(first.base);
    second.done(false);
    const picks = [pickSpeechTarget(pool)!.base, pickSpeechTarget(pool)!.base];
    expect(new Set(picks).size).toBe(2);
  });

  it("a worker that failed is passed over while another is healthy, and used again once it recovers", () => {
    const pool = env("http://a:1,http://b:2");
    const now = Date.now();
    const failing = pickSpeechTarget(pool, now)!;
    failing.begin();
    failing.done(true);
    for (let i = 0; i < 4; i++) expect(pickSpeechTarget(pool, now + 1)!.base).not.toBe(failing.base);
    // Past the suspicion window it is tried again; a success clears it.
    const later = now + SUSPECT_MS + 1;
    const picks = new Set([pickSpeechTarget(pool, later)!.base, pickSpeechTarget(pool, later)!.base]);
    expect(picks.has(failing.base)).toBe(true);
  });

  it("when every worker failed, the least busy of all is still picked (its breaker decides)", () => {
    const pool = env("http://a:1,http://b:2");
    for (const target of [pickSpeechTarget(pool)!, pickSpeechTarget(pool)!]) {
      target.begin();
      target.done(true);
    }
    expect(pickSpeechTarget(pool)).not.toBeNull();
  });

  it("when every worker failed, the one that failed longest ago is picked, not the one that just failed", () => {
    const pool = env("http://a:1,http://b:2");
    vi.useFakeTimers({ now: 1_000_000 });
    const first = pickSpeechTarget(pool)!;
    first.done(true);
    vi.setSystemTime(1_000_500);
    const second = pickSpeechTarget(pool)!;
    expect(second.base).not.toBe(first.base);
    second.done(true);
    for (let i = 0; i < 3; i++) expect(pickSpeechTarget(pool)!.base).toBe(first.base);
  });

  it("a cancelled call gives no verdict: the suspicion stays", () => {
    const pool = env("http://a:1,http://b:2");
    const failing = pickSpeechTarget(pool)!;
    failing.done(true);
    const again = pickSpeechTarget(pool)!;
    expect(again.base).not.toBe(failing.base);
    again.begin();
    again.done(null);
    expect(pickSpeechTarget(pool)!.base).not.toBe(failing.base);
  });
});
