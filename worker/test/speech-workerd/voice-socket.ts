/**
 * An interview socket for voice tests inside workerd: text frames parsed (numbered ones
 * checked for 1, 2, 3, ... as in socket-client.ts), binary frames kept as `{type: "binary"}`
 * in arrival order, and the espeak-ng answer as pcm16 frames to stream.
 */
import { exports } from "cloudflare:workers";
import { speechWav } from "./speech-helpers.ts";

const WAIT_MS = 15_000;

export type VoiceFrame = { type: string; seq?: number; bytes?: Uint8Array; [key: string]: unknown };

export class VoiceSocket {
  private readonly inbox: VoiceFrame[] = [];
  private waiters: (() => void)[] = [];
  private lastSeq = 0;
  sequenceError: string | null = null;
  closed = false;

  constructor(readonly ws: WebSocket) {
    // workerd hands binary messages to this end as Blobs by default.
    (ws as { binaryType?: string }).binaryType = "arraybuffer";
    ws.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        this.inbox.push({ type: "binary", bytes: new Uint8Array(event.data as ArrayBuffer) });
      } else {
        const frame = JSON.parse(event.data) as VoiceFrame;
        if (frame.seq !== undefined) {
          const expected = frame.type === "session_started" ? 1 : this.lastSeq + 1;
          if (frame.seq !== expected) this.sequenceError ??= `expected seq ${expected}, got ${frame.seq} on ${event.data}`;
          this.lastSeq = frame.seq;
        }
        this.inbox.push(frame);
      }
      this.wake();
    });
    ws.addEventListener("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  send(frame: unknown): void {
    if (frame instanceof Uint8Array) this.ws.send(frame);
    else this.ws.send(JSON.stringify(frame));
  }

  /** The next frame, which must be of `type` when given. */
  async next(type?: string): Promise<VoiceFrame> {
    const frame = await this.until(() => this.inbox.shift());
    if (this.sequenceError) throw new Error(this.sequenceError);
    if (type && frame.type !== type) throw new Error(`expected ${type}, got ${describe(frame)}`);
    return frame;
  }

  /** Frames up to and including the first of one of `types`. */
  async collectUntil(...types: string[]): Promise<VoiceFrame[]> {
    const frames: VoiceFrame[] = [];
    for (;;) {
      const frame = await this.next();
      frames.push(frame);
      if (types.includes(frame.type)) return frames;
    }
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // already closed
    }
  }

  private async until<T>(take: () => T | undefined): Promise<T> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.closed) throw new Error("socket closed while waiting");
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${WAIT_MS} ms waiting for a frame`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

function describe(frame: VoiceFrame): string {
  return frame.type === "binary" ? `binary (${frame.bytes!.byteLength} bytes)` : JSON.stringify(frame);
}

export async function connectVoice(): Promise<VoiceSocket> {
  const response = await exports.default.fetch("http://interview.test/ws/interview", { headers: { Upgrade: "websocket" } });
  if (response.status !== 101 || !response.webSocket) throw new Error(`upgrade refused: ${response.status}`);
  response.webSocket.accept();
  const socket = new VoiceSocket(response.webSocket);
  await socket.next("session_ready");
  return socket;
}

/** Starts a session with `audio`; returns the socket, session_started and the first question. */
export async function startVoiceInterview(fields: Record<string, unknown>) {
  const socket = await connectVoice();
  socket.send({ type: "start_session", ...fields });
  const started = await socket.next("session_started");
  const question = await socket.next("question");
  return { socket, started, question };
}

/** The espeak-ng fixture's samples (16 kHz mono pcm16): "Hello world." / 1 s pause / "This is a test." */
export function speechPcm(): Uint8Array {
  return speechWav().subarray(44);
}

/** `seconds` of digital silence, pcm16 at 16 kHz. */
export function silencePcm(seconds: number): Uint8Array {
  return new Uint8Array(Math.round(seconds * 16_000) * 2);
}

/** Deterministic white noise at about a third of full scale, pcm16 at 16 kHz. */
export function noisePcm(seconds: number): Uint8Array {
  const samples = new Int16Array(Math.round(seconds * 16_000));
  let x = 12345;
  for (let i = 0; i < samples.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    samples[i] = ((x / 0x7fffffff) * 2 - 1) * 10_000;
  }
  return new Uint8Array(samples.buffer);
}

/** Sends `pcm` as binary frames of `frameMs` (20-100 ms). */
export function streamPcm(socket: VoiceSocket, pcm: Uint8Array, frameMs = 40): void {
  const frameBytes = (16_000 * 2 * frameMs) / 1000;
  for (let i = 0; i < pcm.byteLength; i += frameBytes) socket.send(pcm.slice(i, i + frameBytes));
}
