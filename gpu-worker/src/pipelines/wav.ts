/**
 * RIFF/WAVE in plain TypeScript: parse PCM 8/16/24/32-bit integer and 32/64-bit float WAV
 * (including WAVE_FORMAT_EXTENSIBLE) to mono Float32 at the file's rate, and encode mono
 * Float32 to 16-bit PCM WAV. Lets WAV uploads decode without ffmpeg. Leaves out compressed
 * WAV codecs (ADPCM, mu-law...), which go to ffmpeg. The header (`readWavFormat`, cheap) is
 * read apart from the samples (`wavSamples`, scales with the file) so the HTTP thread validates
 * an upload and an ASR worker thread converts it.
 */
export class WavError extends Error {
  override name = "WavError";
}

/** The WAV header says the audio lasts longer than allowed: refused before any sample is converted. */
export class AudioTooLongError extends Error {
  override name = "AudioTooLongError";
  readonly seconds: number;
  constructor(seconds: number, maxSeconds: number) {
    super(`the audio lasts ${seconds.toFixed(1)} s, more than ${maxSeconds} s`);
    this.seconds = seconds;
  }
}

export interface DecodedAudio {
  samples: Float32Array;
  sampleRate: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

export function isWav(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const tag = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  return (tag(0) === "RIFF" || tag(0) === "RF64") && tag(8) === "WAVE";
}

/** Where the samples of a PCM/float WAV are and how they are encoded: read from the header alone. */
export interface WavFormat {
  /** 1 = integer PCM, 3 = IEEE float (WAVE_FORMAT_EXTENSIBLE resolved to its sub-format). */
  format: number;
  bits: number;
  channels: number;
  sampleRate: number;
  /** Byte offset of the first sample. */
  dataStart: number;
  /** Whole frames in the data chunk (what `wavSamples` returns). */
  frames: number;
}

/**
 * Validates a WAV header and locates its samples without converting any: O(chunks), cheap on
 * the HTTP thread. Throws WavError for what JS cannot convert (ffmpeg may), and with
 * `maxSeconds` AudioTooLongError from the header alone.
 */
export function readWavFormat(bytes: Uint8Array, options: { maxSeconds?: number } = {}): WavFormat {
  if (!isWav(bytes)) throw new WavError("not a RIFF/WAVE file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 12;
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let dataStart = -1;
  let dataLength = 0;
  while (offset + 8 <= bytes.length) {
    const id = String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new WavError("truncated fmt chunk");
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) format = view.getUint16(body + 24, true);
    } else if (id === "data") {
      dataStart = body;
      // Streamed WAVs carry 0 or 0xFFFFFFFF as size: take what is there.
      if (size === 0 || size === 0xffffffff || body + size > bytes.length) size = bytes.length - body;
      dataLength = size;
      break;
    }
    offset = body + size + (size % 2);
  }
  if (dataStart < 0 || format === 0) throw new WavError("missing fmt or data chunk");
  if (channels < 1 || channels > 32) throw new WavError(`unsupported channel count ${channels}`);
  if (sampleRate < 1000 || sampleRate > 384_000) throw new WavError(`unsupported sample rate ${sampleRate}`);
  if (!((format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) || (format === FORMAT_FLOAT && (bits === 32 || bits === 64)))) {
    throw new WavError(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  }
  const frames = Math.floor(dataLength / ((bits / 8) * channels));
  if (options.maxSeconds !== undefined && frames / sampleRate > options.maxSeconds) throw new AudioTooLongError(frames / sampleRate, options.maxSeconds);
  return { format, bits, channels, sampleRate, dataStart, frames };
}

/** `maxSeconds`: refuse (AudioTooLongError) from the header alone, before converting samples. */
export function parseWav(bytes: Uint8Array, options: { maxSeconds?: number } = {}): DecodedAudio {
  const format = readWavFormat(bytes, options);
  return { samples: wavSamples(bytes, format), sampleRate: format.sampleRate };
}

/**
 * The samples of a WAV whose header `readWavFormat` accepted, as mono Float32 (channels
 * averaged). Scales with the file: the speech worker runs it in the ASR worker threads.
 */
export function wavSamples(bytes: Uint8Array, wav: WavFormat): Float32Array {
  const { format, bits, channels, dataStart, frames } = wav;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bytesPerSample = bits / 8;
  const frameBytes = bytesPerSample * channels;
  const out = new Float32Array(frames);
  if ((format === FORMAT_PCM && bits === 16) || (format === FORMAT_FLOAT && bits === 32)) {
    // Fast path for the common encodings: a typed view (copied once if unaligned), no per-sample calls.
    const aligned = (bytes.byteOffset + dataStart) % bytesPerSample === 0;
    const raw = aligned ? bytes.buffer : bytes.slice(dataStart, dataStart + frames * frameBytes).buffer;
    const start = aligned ? bytes.byteOffset + dataStart : 0;
    const src = bits === 16 ? new Int16Array(raw, start, frames * channels) : new Float32Array(raw, start, frames * channels);
    const scale = bits === 16 ? 1 / (32768 * channels) : 1 / channels;
    if (channels === 1) {
      for (let f = 0; f < frames; f++) out[f] = src[f]! * scale;
    } else {
      for (let f = 0; f < frames; f++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += src[f * channels + c]!;
        out[f] = sum * scale;
      }
    }
    return out;
  }
  const read = (p: number): number => {
    if (format === FORMAT_FLOAT) return bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
    switch (bits) {
      case 8: return (view.getUint8(p) - 128) / 128;
      case 16: return view.getInt16(p, true) / 32768;
      case 24: {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        return v / 8388608;
      }
      default: return view.getInt32(p, true) / 2147483648;
    }
  };
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const base = dataStart + f * frameBytes;
    for (let c = 0; c < channels; c++) sum += read(base + c * bytesPerSample);
    out[f] = sum / channels;
  }
  return out;
}

/** The 44-byte header of a mono 16-bit PCM WAV; `dataBytes` 0xFFFFFFFF marks a stream of unknown length. */
export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  writeWavHeader(new DataView(header.buffer, header.byteOffset, 44), sampleRate, dataBytes);
  return header;
}

function writeWavHeader(view: DataView, sampleRate: number, dataBytes: number): void {
  const riffSize = dataBytes === 0xffffffff ? 0xffffffff : 36 + dataBytes;
  const tag = (at: number, text: string) => { for (let i = 0; i < 4; i++) view.setUint8(at + i, text.charCodeAt(i)); };
  tag(0, "RIFF");
  view.setUint32(4, riffSize >>> 0, true);
  tag(8, "WAVE");
  tag(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  tag(36, "data");
  view.setUint32(40, dataBytes >>> 0, true);
}

/**
 * Float32 [-1, 1] to little-endian 16-bit PCM (clipped), after `headerBytes` bytes left for a
 * header. The result owns its whole ArrayBuffer (never a slice of Node's Buffer pool), so a
 * worker thread can transfer it.
 */
function pcm16Buffer(samples: Float32Array, headerBytes: number): Buffer {
  const buffer = new ArrayBuffer(headerBytes + samples.length * 2);
  const view = new DataView(buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(headerBytes + i * 2, Math.round(s < 0 ? s * 32768 : s * 32767), true);
  }
  return Buffer.from(buffer);
}

/** Float32 [-1, 1] to little-endian 16-bit PCM (clipped); the Buffer owns its ArrayBuffer. */
export function toPcm16(samples: Float32Array): Buffer {
  return pcm16Buffer(samples, 0);
}

/** A mono 16-bit PCM WAV file; the Buffer owns its ArrayBuffer (transferable). */
export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const out = pcm16Buffer(samples, 44);
  writeWavHeader(new DataView(out.buffer, 0, 44), sampleRate, samples.length * 2);
  return out;
}
