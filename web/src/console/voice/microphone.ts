/**
 * The microphone as the voice protocol wants it (shared/src/voice.ts): 16 kHz mono 16-bit
 * little-endian PCM, in 40 ms frames. The browser resamples: the audio context runs at 16 kHz
 * and an AudioWorklet hands over its samples.
 */
import type { AudioOptions } from "@interview/shared/voice";

/** shared/src/voice.ts AUDIO_INPUT_SAMPLE_RATE (not imported: that module brings zod into the page). */
export const AUDIO_INPUT_SAMPLE_RATE = 16_000;
export const AUDIO_INPUT: NonNullable<AudioOptions["input"]> = "pcm16";

const FRAME_SAMPLES = (AUDIO_INPUT_SAMPLE_RATE / 1000) * 40;

/** Runs in the audio thread: passes each block of samples (128 at a time) to the page. */
const WORKLET = `
class Capture extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor("capture", Capture);
`;

export interface Microphone {
  stop(): void;
}

/** Opens the microphone; `onFrame` gets each 40 ms frame of pcm16 while `live()` is true. */
export async function openMicrophone(onFrame: (pcm: ArrayBuffer) => void, live: () => boolean): Promise<Microphone> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  const context = new AudioContext({ sampleRate: AUDIO_INPUT_SAMPLE_RATE });
  const url = URL.createObjectURL(new Blob([WORKLET], { type: "text/javascript" }));
  await context.audioWorklet.addModule(url);
  URL.revokeObjectURL(url);
  const source = context.createMediaStreamSource(stream);
  const capture = new AudioWorkletNode(context, "capture");
  let pending = new Int16Array(FRAME_SAMPLES);
  let filled = 0;
  capture.port.onmessage = (event: MessageEvent<Float32Array>) => {
    if (!live()) {
      filled = 0;
      return;
    }
    for (const sample of event.data) {
      const clamped = Math.max(-1, Math.min(1, sample));
      pending[filled++] = clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff;
      if (filled === FRAME_SAMPLES) {
        // Int16Array is little-endian on every platform browsers run on.
        onFrame(pending.buffer);
        pending = new Int16Array(FRAME_SAMPLES);
        filled = 0;
      }
    }
  };
  source.connect(capture);
  return {
    stop() {
      source.disconnect();
      capture.disconnect();
      for (const track of stream.getTracks()) track.stop();
      void context.close();
    },
  };
}
