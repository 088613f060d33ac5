/**
 * A WebSocket client for tests inside workerd: connects through the Worker's own fetch,
 * queues every frame, and waits for the next one with a timeout so a missing reply fails the
 * test instead of hanging it.
 */
import { env, exports } from "cloudflare:workers";
import type { ServerMessage } from "@interview/shared";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";
import { interviewOfToken } from "../../src/durable/interview-stub.ts";

const WAIT_MS = 5_000;

export type Frame = ServerMessage & Record<string, unknown>;

/** The coach's frames, which a client that predates them ignores. */
const COACHING_FRAMES: ReadonlySet<string> = new Set(["feedback", "feedback_rubric", "report"]);

export class TestSocket {
  private readonly inbox: Frame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  /** The `seq` of the last numbered frame received (0 before any; null: not known yet on a resume without lastSeq). */
  lastSeq: number | null;
  /** Every numbered frame as received, seq included, in order. */
  readonly numbered: Frame[] = [];

  /**
   * Numbered frames must arrive as 1, 2, 3, ... per session (`session_started` starts again at
   * 1), or as the continuation of `startSeq` on a resumed connection (null: from whatever
   * comes first): a gap or a repeat fails the test at once. Frames are handed to tests without
   * `seq`, so they compare as before.
   */
  constructor(
    readonly ws: WebSocket,
    startSeq: number | null = 0,
    /** How long one wait may take before the test fails (the fault suite allows much longer). */
    private readonly waitMs = WAIT_MS,
  ) {
    this.lastSeq = startSeq;
    ws.addEventListener("message", (event) => {
      const { seq, ...frame } = JSON.parse(event.data as string) as Frame;
      if (seq !== undefined) {
        const expected = frame.type === "session_started" ? 1 : this.lastSeq === null ? seq : this.lastSeq + 1;
        if (seq !== expected) this.sequenceError = `expected seq ${expected}, got ${seq} on ${JSON.stringify(frame)}`;
        this.lastSeq = seq;
        this.numbered.push({ ...frame, seq } as Frame);
      }
      this.inbox.push(frame as Frame);
      this.wake();
    });
    ws.addEventListener("close", (event) => {
      this.closed = { code: event.code, reason: event.reason };
      this.wake();
    });
  }

  send(frame: unknown): void {
    if (typeof frame === "string" || frame instanceof Uint8Array || frame instanceof ArrayBuffer) this.ws.send(frame);
    else this.ws.send(JSON.stringify(frame));
  }

  private sequenceError: string | null = null;

  /**
   * Like a client written before them, the socket passes over the coach's `feedback` and
   * `report` frames (README, protocol) unless a test asks for one by type; tests about them set
   * this to false. Their `seq` still counts (`numbered`, `lastSeq`).
   */
  ignoresCoaching = true;

  private take(type?: Frame["type"]): Frame | undefined {
    for (;;) {
      const frame = this.inbox.shift();
      if (frame === undefined) return undefined;
      if (this.ignoresCoaching && frame.type !== type && COACHING_FRAMES.has(frame.type)) continue;
      return frame;
    }
  }

  /** The next frame, which must be of `type` when given. */
  async next<T extends Frame["type"]>(type?: T): Promise<Extract<Frame, { type: T }>> {
    const frame = await this.until(() => this.take(type), `a ${type ?? "any"} frame`);
    if (this.sequenceError) throw new Error(this.sequenceError);
    if (type && frame.type !== type) {
      throw new Error(`expected ${type}, got ${JSON.stringify(frame)}`);
    }
    return frame as Extract<Frame, { type: T }>;
  }

  /** Frames up to and including the first whose type is one of `types`. */
  async collectUntil(...types: Frame["type"][]): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      const frame = await this.until(() => this.take(types.find((t) => COACHING_FRAMES.has(t))), `a ${types.join(" or ")} frame`);
      if (this.sequenceError) throw new Error(this.sequenceError);
      frames.push(frame);
      if (types.includes(frame.type)) return frames;
    }
  }

  /** Frames received and not read yet (nothing is waited for). */
  drain(): Frame[] {
    return this.inbox.splice(0);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed ?? undefined, "the socket to close");
  }

  /** Nothing arrives within `ms`. */
  async expectSilence(ms = 150): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    if (this.inbox.length > 0) throw new Error(`unexpected frames: ${JSON.stringify(this.inbox)}`);
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // already closed
    }
  }

  private async until<T>(take: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.closed && what !== "the socket to close") {
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${this.waitMs} ms waiting for ${what}`);
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

export async function upgrade(query = "", headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`http://interview.test/ws/interview${query}`, { headers: { Upgrade: "websocket", ...headers } });
}

export async function connect(query = "", headers: Record<string, string> = {}, startSeq?: number, waitMs?: number): Promise<TestSocket> {
  const response = await upgrade(query, headers);
  if (response.status !== 101 || !response.webSocket) {
    throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  }
  response.webSocket.accept();
  // A new interview starts from 0; a resume continues from the client's lastSeq, if it sent one.
  const resuming = query.includes("session=") || "Sec-WebSocket-Protocol" in headers;
  return new TestSocket(response.webSocket, startSeq ?? (resuming ? null : 0), waitMs);
}

/** Connects and starts a session; returns the socket, session_started and the first question. */
export async function startInterview(fields: Record<string, unknown> = {}) {
  const socket = await connect();
  const ready = await socket.next("session_ready");
  socket.send({ type: "start_session", ...fields });
  const started = await socket.next("session_started");
  const question = await socket.next("question");
  return { socket, ready, started, question };
}

/** The interview object a session's resume token names (tests reach inside it). */
export function interviewOf(resumeToken: string): InterviewStub {
  const stub = interviewOfToken(env, resumeToken);
  if (!stub) throw new Error(`not a resume token: ${resumeToken}`);
  return stub;
}
