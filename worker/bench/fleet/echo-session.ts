/**
 * The platform's floor for the fleet benchmark: a bare Durable Object on the WebSocket
 * hibernation API that, for every text message, inserts one row into its own SQLite and
 * echoes the message back. Nothing else: no validation, no engine, no D1, no alarm.
 */
import { DurableObject } from "cloudflare:workers";

export class EchoSession extends DurableObject {
  private readonly framesBySocket = new WeakMap<WebSocket, boolean>();

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS echo (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, body TEXT NOT NULL)");
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("upgrade required", { status: 426 });
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    if (new URL(request.url).searchParams.get("frames") === "project") pair[1].serializeAttachment({ projectFrames: true });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") return;
    this.ctx.storage.sql.exec("INSERT INTO echo (at, body) VALUES (?, ?)", Date.now(), data);
    if (this.projectFrames(ws)) {
      // The project's turn sends a tips and a feedback frame before its question: the same
      // frames, built and serialised per message, show what the protocol alone costs.
      ws.send(JSON.stringify({ type: "tips", seq: 1, turn: 1, tips: TIPS }));
      ws.send(JSON.stringify({ type: "feedback", seq: 2, turn: 1, ...FEEDBACK }));
    }
    ws.send(data);
  }

  /**
   * Whether this socket asked for the project's frames (`?frames=project`), read from its
   * attachment once per socket: the floor's own message path stays one map lookup longer, not
   * one attachment read.
   */
  private projectFrames(ws: WebSocket): boolean {
    let wanted = this.framesBySocket.get(ws);
    if (wanted === undefined) {
      wanted = Boolean((ws.deserializeAttachment() as { projectFrames?: boolean } | null)?.projectFrames);
      this.framesBySocket.set(ws, wanted);
    }
    return wanted;
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}

const TIPS = [
  { kind: "structure", text: "Say what you did first, then what came of it: the result is what the interviewer remembers." },
  { kind: "delivery", text: "Fewer hedges: say what you decided." },
];
const FEEDBACK = {
  star: { situation: true, task: true, action: true, result: false },
  scores: { clarity: 3.5, structure: 3, relevance: 0.62, specificity: 2 },
  evidence: [
    { kind: "situation", from: 12, to: 58, quote: "outages hit weekly" },
    { kind: "action", from: 90, to: 140, quote: "I profiled the queue, added retries" },
    { kind: "hedge", from: 150, to: 160, quote: "I think" },
  ],
  content: { words: 54, hedges: 1, repeats: [], numbers: ["60 percent"], ownership: { singular: 3, plural: 1 } },
  summary: "A clear situation and action; say what changed because of it, with a number if you have one.",
};
