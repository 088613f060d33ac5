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

type Frame = ServerMessage & Record<string, unknown>;

export class TestSocket {
  private readonly inbox: Frame[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => {
      this.inbox.push(JSON.parse(event.data as string) as Frame);
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

  /** The next frame, which must be of `type` when given. */
  async next<T extends Frame["type"]>(type?: T): Promise<Extract<Frame, { type: T }>> {
    const frame = await this.until(() => this.inbox.shift(), `a ${type ?? "any"} frame`);
    if (type && frame.type !== type) {
      throw new Error(`expected ${type}, got ${JSON.stringify(frame)}`);
    }
    return frame as Extract<Frame, { type: T }>;
  }

  /** Frames up to and including the first of `type`. */
  async collectUntil(type: Frame["type"]): Promise<Frame[]> {
    const frames: Frame[] = [];
    for (;;) {
      const frame = await this.next();
      frames.push(frame);
      if (frame.type === type) return frames;
    }
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
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (this.closed && what !== "the socket to close") throw new Error(`socket closed while waiting for ${what}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for ${what}`);
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

export async function connect(query = "", headers: Record<string, string> = {}): Promise<TestSocket> {
  const response = await upgrade(query, headers);
  if (response.status !== 101 || !response.webSocket) {
    throw new Error(`upgrade refused: ${response.status} ${await response.text()}`);
  }
  response.webSocket.accept();
  return new TestSocket(response.webSocket);
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
