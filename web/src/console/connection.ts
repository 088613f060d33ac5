/**
 * The console's side of `/ws/interview`: one socket at a time, `seq` kept, and a lossless
 * reconnect (README "Resuming an interview"): after a drop it reconnects by itself with the
 * resume token as a subprotocol and `?lastSeq=`, then re-sends every message the server had
 * not acknowledged, with its id, so nothing is applied twice and nothing is lost.
 */
import type { ServerMessage } from "@interview/shared/protocol";

type Outgoing = { type: string; id?: string; [field: string]: unknown };

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnectionEvents {
  message(message: ServerMessage): void;
  /** A binary frame: the interviewer's audio, between audio_out_start and audio_out_end. */
  audio?(chunk: ArrayBuffer): void;
  state(state: ConnectionState, detail: string): void;
}

/** Waits between reconnect attempts: quick at first, then every 5 s. */
const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 5_000];
/** Close code the server uses when the session was deleted (`DELETE /sessions/:id`). */
const CLOSE_DELETED = 4004;

export class InterviewConnection {
  private socket: WebSocket | null = null;
  private lastSeq = 0;
  private resumeToken: string | null = null;
  private ended = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Sent (or waiting to be sent) and not yet acknowledged, by id, in order. */
  private readonly unacknowledged = new Map<string, Outgoing>();
  /** Messages without an id (start_session, telemetry, ping) waiting for an open socket. */
  private readonly waiting: Outgoing[] = [];

  constructor(
    private readonly url: string,
    private readonly events: ConnectionEvents,
  ) {}

  connect(): void {
    this.open(false);
  }

  /** The highest `seq` seen; what a resume asks to continue from. */
  get seq(): number {
    return this.lastSeq;
  }

  /** For tests and the curious: the socket now in use. */
  get current(): WebSocket | null {
    return this.socket;
  }

  /**
   * Sends a message. Session-changing messages get an id and are kept until acknowledged,
   * so a drop before the `ack` re-sends them on the next socket.
   */
  send(message: Outgoing, options: { acknowledged?: boolean } = {}): Outgoing & { id?: string } {
    if (options.acknowledged) {
      const id = message.id ?? crypto.randomUUID();
      const withId = { ...message, id };
      this.unacknowledged.set(id, withId);
      this.write(withId, false);
      return withId;
    }
    this.write(message, true);
    return message;
  }

  /**
   * Resumes a session this tab ran before a reload: everything from `lastSeq` on is replayed
   * (0: the whole session), and `unacknowledged` is sent again with its ids.
   */
  resume(resumeToken: string, lastSeq: number, unacknowledged: readonly (Outgoing & { id: string })[]): void {
    this.resumeToken = resumeToken;
    this.lastSeq = lastSeq;
    this.ended = false;
    for (const message of unacknowledged) this.unacknowledged.set(message.id, message);
    this.open(true);
  }

  /** A new session on this connection: forget the previous one's numbering and token. */
  startSession(message: Outgoing): void {
    this.lastSeq = 0;
    this.ended = false;
    this.resumeToken = null;
    this.unacknowledged.clear();
    this.send(message);
  }

  /** Spoken answer audio: sent only on an open socket (audio from a dropped moment is not worth replaying). */
  sendAudio(pcm: ArrayBuffer): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(pcm);
  }

  close(): void {
    this.ended = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close(1000, "closed by the console");
  }

  private write(message: Outgoing, queueIfClosed: boolean): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    else if (queueIfClosed) this.waiting.push(message);
  }

  private open(resuming: boolean): void {
    const url = new URL(this.url);
    const protocols: string[] = [];
    if (resuming && this.resumeToken) {
      url.searchParams.set("lastSeq", String(this.lastSeq));
      protocols.push("interview.v1", `resume.${this.resumeToken}`);
    }
    this.events.state(resuming ? "reconnecting" : "connecting", resuming ? "Reconnecting…" : "Connecting…");
    const socket = new WebSocket(url, protocols);
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      this.attempts = 0;
      this.events.state("open", resuming ? "Reconnected; the interview carries on." : "Connected.");
      // Unacknowledged messages first, in the order they were made: the server applies an id once.
      for (const message of this.unacknowledged.values()) socket.send(JSON.stringify(message));
      for (const message of this.waiting.splice(0)) socket.send(JSON.stringify(message));
    });
    socket.addEventListener("message", (event) => this.receive(event));
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === CLOSE_DELETED) {
        this.ended = true;
        this.events.state("closed", "This session was deleted; start a new one.");
        return;
      }
      if (this.ended) {
        this.events.state("closed", "The interview has ended.");
        return;
      }
      if (!opened && resuming && this.attempts >= 3) void this.giveUpIfRefused();
      else this.scheduleReconnect();
    });
  }

  private receive(event: MessageEvent): void {
    if (typeof event.data !== "string") {
      if (event.data instanceof ArrayBuffer) this.events.audio?.(event.data);
      return;
    }
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === "session_started") this.resumeToken = message.resumeToken;
    if (message.seq !== undefined) {
      // A replay never repeats what we hold; a message at or below lastSeq is ignored all the same.
      if (message.seq <= this.lastSeq && message.type !== "session_started") return;
      this.lastSeq = message.seq;
    }
    if (message.type === "ack") this.unacknowledged.delete(message.id);
    if (message.type === "session_ended") this.ended = true;
    this.events.message(message);
  }

  /**
   * A browser cannot read why an upgrade failed. If the server answers /health but keeps
   * refusing the resume, the session is gone (ended, deleted, or replaced by a newer one:
   * 403/409), and trying forever would not help.
   */
  private async giveUpIfRefused(): Promise<void> {
    let answering = false;
    try {
      // Any HTTP answer (a 503 too: D1 down) means the server itself is up.
      await fetch(new URL("/health", this.url.replace(/^ws/, "http")), { cache: "no-store" });
      answering = true;
    } catch {
      answering = false;
    }
    if (!answering) {
      this.scheduleReconnect();
      return;
    }
    this.ended = true;
    this.events.state("closed", "The server is up but refuses to resume this interview: it has ended, was deleted, or was replaced by a newer one. Start a new interview.");
  }

  private scheduleReconnect(): void {
    const delay = RETRY_DELAYS_MS[Math.min(this.attempts, RETRY_DELAYS_MS.length - 1)]!;
    this.attempts += 1;
    const resuming = this.resumeToken !== null;
    this.events.state(
      "reconnecting",
      this.attempts > 3 ? "The server cannot be reached; still trying. Your answers are kept and sent once it is back." : "Connection lost; reconnecting…",
    );
    this.retryTimer = setTimeout(() => this.open(resuming), delay);
  }
}
