/**
 * The seed's TTS cache (§8.2): an in-memory LRU of 32 entries, keyed here on what the speech
 * worker is asked for: (text, voice, speed). The seed keyed on (text, style, speaker,
 * language, speed); style only picks the speed and the speech API takes no language, so
 * those keys held the same audio several times over. It lives in one Worker isolate, so it is per isolate: another isolate, or
 * this one after a restart, starts empty. It saves the speech worker from repeating the
 * interviewer's stock lines; it is not a shared cache.
 *
 * Added to the seed's rule: a byte budget, because an isolate has 128 MB and one reply of
 * 4096 characters is several MB of WAV. Entries over `maxEntryBytes` are not kept, and the
 * oldest entries go until the total fits `maxBytes`.
 */

export interface TtsCacheKey {
  text: string;
  /** The requested voice (`speaker`, or the default when none was named). */
  voice: string;
  speed: number;
}

export interface CachedAudio {
  bytes: ArrayBuffer;
  contentType: string;
  sampleRate: string | null;
  /** The voice that spoke it (the requested one, or the default it fell back to). */
  voice: string;
}

export interface TtsCacheLimits {
  maxEntries: number;
  maxBytes: number;
  maxEntryBytes: number;
}

/** 32 entries as in the seed; 16 MiB in all; 2 MiB (about 40 s of 24 kHz WAV) per entry. */
export const DEFAULT_TTS_CACHE_LIMITS: TtsCacheLimits = { maxEntries: 32, maxBytes: 16 * 1024 * 1024, maxEntryBytes: 2 * 1024 * 1024 };

export class TtsCache {
  /** A Map iterates in insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, CachedAudio>();
  private bytes = 0;

  constructor(private readonly limits: TtsCacheLimits = DEFAULT_TTS_CACHE_LIMITS) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: TtsCacheKey): CachedAudio | undefined {
    const k = keyOf(key);
    const hit = this.entries.get(k);
    if (hit) {
      this.entries.delete(k);
      this.entries.set(k, hit);
    }
    return hit;
  }

  set(key: TtsCacheKey, audio: CachedAudio): void {
    const k = keyOf(key);
    this.remove(k);
    if (audio.bytes.byteLength > this.limits.maxEntryBytes) return;
    this.entries.set(k, audio);
    this.bytes += audio.bytes.byteLength;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) break;
      this.remove(oldest);
    }
  }

  private remove(k: string): void {
    const old = this.entries.get(k);
    if (!old) return;
    this.entries.delete(k);
    this.bytes -= old.bytes.byteLength;
  }
}

function keyOf(key: TtsCacheKey): string {
  return JSON.stringify([key.text, key.voice, key.speed]);
}
