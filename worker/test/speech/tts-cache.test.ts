/** The per-isolate TTS LRU: 32 entries keyed on (text, voice, speed), with a byte budget. */
import { describe, expect, it } from "vitest";
import { TtsCache, type TtsCacheKey } from "../../src/speech/tts-cache.ts";

const key = (text: string, extra: Partial<TtsCacheKey> = {}): TtsCacheKey => ({ text, voice: "alloy", speed: 1, ...extra });
const audio = (bytes: number) => ({ bytes: new ArrayBuffer(bytes), contentType: "audio/wav", sampleRate: "24000", voice: "alloy" });

describe("TtsCache", () => {
  it("keeps 32 entries and evicts the least recently used", () => {
    const cache = new TtsCache();
    for (let i = 0; i < 32; i++) cache.set(key(`t${i}`), audio(10));
    expect(cache.get(key("t0"))).toBeDefined(); // t0 is now the most recent
    cache.set(key("t32"), audio(10));
    expect(cache.size).toBe(32);
    expect(cache.get(key("t1"))).toBeUndefined();
    expect(cache.get(key("t0"))).toBeDefined();
    expect(cache.get(key("t32"))).toBeDefined();
  });

  it("keys on text, voice and speed", () => {
    const cache = new TtsCache();
    cache.set(key("hi", { voice: "am_echo", speed: 0.94 }), audio(1));
    expect(cache.get(key("hi", { voice: "am_echo", speed: 0.94 }))).toBeDefined();
    for (const other of [{ text: "hi!" }, { voice: "alloy" }, { speed: 1 }]) {
      expect(cache.get(key("hi", { voice: "am_echo", speed: 0.94, ...other }))).toBeUndefined();
    }
  });

  it("stays within its byte budget and skips oversized entries", () => {
    const cache = new TtsCache({ maxEntries: 32, maxBytes: 100, maxEntryBytes: 60 });
    cache.set(key("a"), audio(40));
    cache.set(key("b"), audio(40));
    cache.set(key("c"), audio(40)); // 120 > 100: "a" goes
    expect(cache.get(key("a"))).toBeUndefined();
    expect(cache.size).toBe(2);
    cache.set(key("big"), audio(61));
    expect(cache.get(key("big"))).toBeUndefined();
    cache.set(key("b"), audio(10)); // replacing frees the old bytes
    cache.set(key("d"), audio(50));
    expect([cache.get(key("b")), cache.get(key("c")), cache.get(key("d"))].every(Boolean)).toBe(true);
  });
});
