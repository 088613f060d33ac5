/**
 * Sample-rate conversion for the JS WAV path: a windowed-sinc (Hann, 16 zero crossings)
 * low-pass resampler, good enough for speech recognition input. ffmpeg does its own resampling.
 *
 * Polyphase: with g = gcd(from, to), output i sits at input position i·(from/g)/(to/g), whose
 * fractional part takes only to/g values (1 phase for 48k→16k, 160 for 44.1k→16k). The filter
 * taps of each phase are computed once per rate pair and cached (LRU, RESAMPLE_CACHE_MAX_BYTES), so the inner loop is a dot
 * product instead of a sin and a cos per tap. Output equals the direct form (`resampleDirect`)
 * within float rounding; near the edges, where taps fall outside the input, the weights are
 * renormalised over the taps that exist, as the direct form does.
 */
const HALF_TAPS = 16;
/** Above this many table entries (odd rate pairs with a huge phase count) use the direct form. */
const MAX_TABLE = 1 << 20;
/**
 * Bound on the bytes of cached tables, per thread. The sample rate is the client's choice (any
 * WAV header), and one table can take up to ~8 MB (MAX_TABLE weights), so the cache is an LRU:
 * past this bound the least recently used tables are dropped (rebuilt if that pair comes back).
 * The usual pairs (48k, 44.1k, 22.05k, 8k → 16k) take under 120 KB each.
 */
export const RESAMPLE_CACHE_MAX_BYTES = 16 * 1024 * 1024;

interface Table {
  up: number;
  down: number;
  /** First tap offset of each phase, relative to floor(position). */
  first: Int32Array;
  /** Taps in each phase (at most `taps`). */
  counts: Int32Array;
  /** Row stride of `weights`. */
  taps: number;
  /** phases × taps weights. */
  weights: Float64Array;
  /** Sum of each phase's weights. */
  norms: Float64Array;
}

/** Map order is use order: a hit is moved to the end, eviction takes from the front. */
const tables = new Map<string, Table>();
let cachedBytes = 0;

function tableBytes(t: Table): number {
  return t.first.byteLength + t.counts.byteLength + t.weights.byteLength + t.norms.byteLength;
}

/** What the table cache holds now (for tests and the curious). */
export function resampleCacheStats(): { tables: number; bytes: number } {
  return { tables: tables.size, bytes: cachedBytes };
}

function remember(key: string, t: Table): void {
  tables.set(key, t);
  cachedBytes += tableBytes(t);
  for (const [oldKey, old] of tables) {
    if (cachedBytes <= RESAMPLE_CACHE_MAX_BYTES || oldKey === key) break;
    tables.delete(oldKey);
    cachedBytes -= tableBytes(old);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function windowedSinc(offset: number, cutoff: number, width: number): number {
  const x = offset * cutoff;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  return sinc * (0.5 + 0.5 * Math.cos((Math.PI * offset) / width));
}

function table(fromRate: number, toRate: number): Table | null {
  const key = `${fromRate}:${toRate}`;
  const cached = tables.get(key);
  if (cached) {
    tables.delete(key);
    tables.set(key, cached);
    return cached;
  }
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const cutoff = Math.min(1, toRate / fromRate);
  const width = HALF_TAPS / cutoff;
  const taps = Math.floor(2 * width) + 2;
  if (up * taps > MAX_TABLE) return null;
  const first = new Int32Array(up);
  const counts = new Int32Array(up);
  const weights = new Float64Array(up * taps);
  const norms = new Float64Array(up);
  for (let p = 0; p < up; p++) {
    const frac = p / up; // position = floor + frac
    const lo = Math.ceil(frac - width);
    const hi = Math.floor(frac + width);
    first[p] = lo;
    counts[p] = hi - lo + 1;
    let norm = 0;
    for (let k = lo; k <= hi; k++) {
      const w = windowedSinc(k - frac, cutoff, width);
      weights[p * taps + (k - lo)] = w;
      norm += w;
    }
    norms[p] = norm;
  }
  const t: Table = { up, down, first, counts, taps, weights, norms };
  remember(key, t);
  return t;
}

export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate)) return resampleDirect(input, fromRate, toRate);
  const t = table(fromRate, toRate);
  if (!t) return resampleDirect(input, fromRate, toRate);
  const { up, down, first, counts, taps, weights, norms } = t;
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const last = input.length - 1;
  for (let i = 0; i < outLength; i++) {
    const num = i * down;
    const base = Math.floor(num / up);
    const p = num - base * up;
    const start = base + first[p]!;
    const row = p * taps;
    const n = counts[p]! - 1;
    let acc = 0;
    if (start >= 0 && start + n <= last) {
      for (let k = 0; k <= n; k++) acc += input[start + k]! * weights[row + k]!;
      out[i] = norms[p]! > 0 ? acc / norms[p]! : 0;
    } else {
      let norm = 0;
      const kLo = Math.max(0, -start);
      const kHi = Math.min(n, last - start);
      for (let k = kLo; k <= kHi; k++) {
        const w = weights[row + k]!;
        acc += input[start + k]! * w;
        norm += w;
      }
      out[i] = norm > 0 ? acc / norm : 0;
    }
  }
  return out;
}

/** The direct form: a sin and a cos per tap. Kept for rate pairs the table does not fit and as the reference in tests. */
export function resampleDirect(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const ratio = toRate / fromRate;
  const outLength = Math.floor(input.length * ratio);
  const out = new Float32Array(outLength);
  const cutoff = Math.min(1, ratio); // low-pass at the lower Nyquist
  const width = HALF_TAPS / cutoff;
  for (let i = 0; i < outLength; i++) {
    const center = i / ratio;
    const lo = Math.max(0, Math.ceil(center - width));
    const hi = Math.min(input.length - 1, Math.floor(center + width));
    let acc = 0;
    let norm = 0;
    for (let j = lo; j <= hi; j++) {
      const w = windowedSinc(j - center, cutoff, width);
      acc += input[j]! * w;
      norm += w;
    }
    out[i] = norm > 0 ? acc / norm : 0;
  }
  return out;
}
