/**
 * Test helpers for the realtime endpoint: a WebSocket client (the `ws` package, which can send an
 * Authorization header as the interview Durable Object does) that records every server event
 * and waits for one by type, and speech made by espeak-ng as 16 kHz pcm16.
 */
import { execFileSync } from "node:child_process";
import WebSocket from "ws";

export interface RealtimeEvent {
  type: string;
  [key: string]: unknown;
}

export class RealtimeClient {
  readonly events: RealtimeEvent[] = [];
  readonly #waiters: Array<{ test: (e: RealtimeEvent) => boolean; resolve: (e: RealtimeEvent) => void }> = [];
  closed: Promise<number>;

  readonly socket: WebSocket;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      const event = JSON.parse(data.toString()) as RealtimeEvent;
      this.events.push(event);
      for (const w of [...this.#waiters]) {
        if (w.test(event)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  }

  /** Every client connected so far (closeAll() in afterEach). */
  static readonly open = new Set<RealtimeClient>();

  static async closeAll(): Promise<void> {
    const clients = [...RealtimeClient.open];
    RealtimeClient.open.clear();
    for (const c of clients) c.socket.close();
    await Promise.all(clients.map((c) => c.closed));
  }

  /** Connects and waits for `transcription_session.created`. */
  static async connect(url: string, headers: Record<string, string>): Promise<RealtimeClient> {
    const socket = new WebSocket(url, { headers });
    const client = new RealtimeClient(socket);
    RealtimeClient.open.add(client);
    const created = client.next("transcription_session.created", 0);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await created;
    return client;
  }

  /** Resolves with the first event of `type` at index ≥ `from` (already received or coming). */
  next(type: string, from = 0, test: (e: RealtimeEvent) => boolean = () => true): Promise<RealtimeEvent> {
    const seen = this.events.slice(from).find((e) => e.type === type && test(e));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ test: (e) => e.type === type && test(e), resolve }));
  }

  send(event: object | string): void {
    this.socket.send(typeof event === "string" ? event : JSON.stringify(event));
  }

  append(pcm: Buffer): void {
    this.send({ type: "input_audio_buffer.append", audio: pcm.toString("base64") });
  }

  /** Sends `pcm` in frames of `frameMs`, waiting each frame's duration (real-time pacing) when `paced`. */
  async stream(pcm: Buffer, frameMs: number, paced: boolean): Promise<void> {
    const step = (16_000 * frameMs) / 1000 * 2;
    for (let at = 0; at < pcm.length; at += step) {
      this.append(pcm.subarray(at, Math.min(pcm.length, at + step)));
      if (paced) await new Promise((r) => setTimeout(r, frameMs));
    }
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  close(): void {
    this.socket.close();
  }
}

/** `text` spoken by espeak-ng (Debian package), as 16 kHz mono pcm16 LE. */
export function espeak(text: string, wordsPerMinute = 160): Buffer {
  const wav = execFileSync("espeak-ng", ["-v", "en-us", "-s", String(wordsPerMinute), "--stdout", text], { maxBuffer: 64 * 1024 * 1024 });
  return execFileSync("sox", ["-t", "wav", "-", "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", "-"], { input: wav, maxBuffer: 64 * 1024 * 1024 });
}

export function silencePcm(seconds: number): Buffer {
  return Buffer.alloc(Math.round(16_000 * seconds) * 2);
}

/** Deterministic white noise (LCG) at `amplitude` (0..1), as pcm16. */
export function noisePcm(seconds: number, amplitude: number): Buffer {
  const n = Math.round(16_000 * seconds);
  const out = Buffer.alloc(n * 2);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out.writeInt16LE(Math.round(((seed / 0x7fffffff) * 2 - 1) * amplitude * 32767), i * 2);
  }
  return out;
}

/** Where speech is in espeak's output: first and last sample above a small amplitude, in ms. */
export function speechBounds(pcm: Buffer): { startMs: number; endMs: number } {
  let first = -1;
  let last = -1;
  for (let i = 0; i < pcm.length / 2; i++) {
    if (Math.abs(pcm.readInt16LE(i * 2)) > 300) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { startMs: first / 16, endMs: last / 16 };
}
