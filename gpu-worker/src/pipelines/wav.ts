/**
 * RIFF/WAVE in plain TypeScript: parse PCM 8/16/24/32-bit integer and 32/64-bit float WAV
 * (including WAVE_FORMAT_EXTENSIBLE) to mono Float32 at the file's rate, and encode mono
 * Float32 to 16-bit PCM WAV. Lets WAV uploads decode without ffmpeg. Leaves out compressed
 * WAV codecs (ADPCM, mu-law...), which go to ffmpeg.
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

/** `maxSeconds`: refuse (AudioTooLongError) from the header alone, before converting samples. */
export function parseWav(bytes: Uint8Array, options: { maxSeconds?: number } = {}): DecodedAudio {
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
  const bytesPerSample = bits / 8;
  if (!((format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) || (format === FORMAT_FLOAT && (bits === 32 || bits === 64)))) {
    throw new WavError(`unsupported WAV encoding (format ${format}, ${bits} bits)`);
  }
  const frameBytes = bytesPerSample * channels;
  const frames = Math.floor(dataLength / frameBytes);
  if (options.maxSeconds !== undefined && frames / sampleRate > options.maxSeconds) throw new AudioTooLongError(frames / sampleRate, options.maxSeconds);
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
    return { samples: out, sampleRate };
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
  return { samples: out, sampleRate };
}

/** The 44-byte header of a mono 16-bit PCM WAV; `dataBytes` 0xFFFFFFFF marks a stream of unknown length. */
export function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  const riffSize = dataBytes === 0xffffffff ? 0xffffffff : 36 + dataBytes;
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(riffSize >>> 0, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(dataBytes >>> 0, 40);
  return header;
}

/** Float32 [-1, 1] to little-endian 16-bit PCM (clipped). */
export function toPcm16(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]!));
    out.writeInt16LE(Math.round(s < 0 ? s * 32768 : s * 32767), i * 2);
  }
  return out;
}

export function encodeWav(samples: Float32Array, sampleRate: number): Buffer {
  const pcm = toPcm16(samples);
  return Buffer.concat([wavHeader(sampleRate, pcm.length), pcm]);
}
