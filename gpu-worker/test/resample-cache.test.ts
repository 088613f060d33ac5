/**
 * The resampler's table cache is an LRU bounded by RESAMPLE_CACHE_MAX_BYTES: client-chosen sample
 * rates (each odd rate builds a table of up to ~8 MB) cannot grow it without bound, and a table
 * evicted and rebuilt gives the same output.
 */
import { describe, expect, it } from "vitest";
import { resample, resampleCacheStats, resampleDirect, RESAMPLE_CACHE_MAX_BYTES } from "../src/pipelines/resample.ts";

describe("resample table cache", () => {
  it("stays within its bound across many rates, keeps recently used tables, and stays correct after eviction", () => {
    const input = Float32Array.from({ length: 256 }, (_v, i) => Math.sin(i * 0.05));
    for (let k = 0; k < 24; k++) {
      const rate = 8_011 + 2 * k; // odd rates: 16 000 phases each, ~4.4 MB tables
      resample(input, rate, 16_000);
      resample(input, 48_000, 16_000); // used every time: must survive eviction
      expect(resampleCacheStats().bytes).toBeLessThanOrEqual(RESAMPLE_CACHE_MAX_BYTES);
    }
    expect(resampleCacheStats().tables).toBeLessThan(24);
    const fresh = resampleCacheStats();
    resample(input, 48_000, 16_000);
    expect(resampleCacheStats(), "48 kHz was still cached: no table built").toEqual(fresh);

    // The first odd rate was evicted long ago: rebuilt, same output as the direct form.
    const again = resample(input, 8_011, 16_000);
    const direct = resampleDirect(input, 8_011, 16_000);
    expect(again.length).toBe(direct.length);
    for (let i = 0; i < again.length; i++) expect(again[i]).toBeCloseTo(direct[i]!, 5);
  });
});
