/**
 * The platform's floor for the fleet benchmark: a bare Durable Object on the WebSocket
 * hibernation API that, for every text message, inserts one row into its own SQLite and
 * echoes the message back. Nothing else: no validation, no engine, no D1, no alarm.
 */
import { DurableObject } from "cloudflare:workers";

export class EchoSession extends DurableObject {
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
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== "string") return;
    this.ctx.storage.sql.exec("INSERT INTO echo (at, body) VALUES (?, ?)", Date.now(), data);
    ws.send(data);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }
}
