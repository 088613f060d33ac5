/**
 * One interview per object: a thin adapter between hibernatable WebSockets and the pure
 * engine. Each frame is validated at the edge, fed to the engine in arrival order, and the
 * engine's effects are carried out: state and records are written in one storage
 * transaction before any reply is sent, then replies go out, alarms are set and the
 * interviewer model is consulted.
 *
 * After hibernation or eviction memory is empty; the state is read back from storage, and a
 * turn that was waiting on the model when the object went away is re-run.
 *
 * Records reach D1 by replication from the outbox, started in the background after each
 * write and retried with backoff by the alarm, which also carries the session time limit:
 * the alarm is set to the earlier of the deadline and the next retry (storage/README.md).
 */
import { DurableObject } from "cloudflare:workers";
import {
  RATE_LIMIT_BURST,
  RATE_LIMIT_PER_SECOND,
  errorBody,
  parseClientFrame,
  type AnswerMetrics,
  type ErrorCode,
  type Group,
  type PersistRecord,
  type ServerMessage,
} from "@interview/shared";
import { initialState, reduce } from "../engine/engine.ts";
import type { ConsultRequest, EngineEvent, InterviewState, StartMint } from "../engine/types.ts";
import type { Env } from "../env.ts";
import { selectInterviewerModel } from "../model/select-model.ts";
import type { InterviewerModel } from "../model/interviewer-model.ts";
import { RecordOutbox } from "./record-outbox.ts";
import { SerialQueue } from "./serial-queue.ts";
import { TokenBucket } from "./token-bucket.ts";
import { mintResumeToken, sha256Hex, tokenMatches } from "./resume-token.ts";
import { secureRandom } from "./group-assigner.ts";
import { drizzle } from "drizzle-orm/d1";
import { OutboxReplication } from "./outbox-replication.ts";

export type SubmitAnswerOutcome =
  | { ok: true; turn: number }
  | { ok: false; code: "not_found" | "session_ended" }
  /** The answer was for another question: a retried upload, or a typed answer got there first. */
  | { ok: false; code: "stale_turn"; turn: number };

export type SessionCheck = "ok" | "not_found" | "forbidden" | "session_ended";

const STATE_KEY = "state";
/**
 * While a turn waits on the model the alarm is also set this far ahead, so a turn orphaned
 * by eviction is finished even if the candidate sends nothing more. In a live object the
 * alarm just waits for the turn in flight and re-arms.
 */
const PARKED_TURN_RESCUE_MS = 15_000;
/** Close code sent to a socket that another connection resumed the interview from. */
const CLOSE_REPLACED = 4001;

export class InterviewSession extends DurableObject<Env> {
  private state: InterviewState | null;
  private readonly outbox: RecordOutbox;
  private readonly queue = new SerialQueue();
  private readonly buckets = new WeakMap<WebSocket, TokenBucket>();
  private readonly model: InterviewerModel;
  private turnAbort = new AbortController();
  private readonly replication: OutboxReplication;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.state = ctx.storage.kv.get<InterviewState>(STATE_KEY) ?? null;
    this.outbox = new RecordOutbox(ctx.storage.sql);
    this.replication = new OutboxReplication(
      this.outbox,
      ctx.storage.kv,
      () => drizzle(env.DB),
      () => this.rearm(),
      `InterviewSession ${ctx.id}`,
    );
    this.model = selectInterviewerModel(env);
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return json(426, errorBody("upgrade_required"));
    }
    const url = new URL(request.url);
    const resumeId = url.searchParams.get("session");
    if (resumeId !== null) {
      const refusal = await this.checkResume(resumeId, url.searchParams.get("token") ?? "");
      if (refusal) return refusal;
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // One live socket per interview: a resume replaces whatever connection was there.
    for (const old of this.ctx.getWebSockets()) old.close(CLOSE_REPLACED, "replaced by a resumed connection");
    this.turnAbort.abort();
    this.turnAbort = new AbortController();
    this.ctx.acceptWebSocket(server);
    const event: EngineEvent = resumeId !== null ? { kind: "resumed" } : { kind: "connected" };
    void this.queue.run(() => this.dispatch(event)).catch((error) => this.reportFailure(server, error));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    if (!this.bucketFor(ws).take(Date.now())) {
      sendTo(ws, { type: "error", ...errorBody("rate_limited") });
      return;
    }
    await this.queue
      .run(async () => {
        // Frames still arriving from a socket a resume replaced are not the interview's.
        if (ws.readyState !== WebSocket.OPEN) return;
        // Parsed in turn, so a frame right behind start_session sees the session it started.
        const parsed = parseClientFrame(data, { hasSession: Boolean(this.state?.session) });
        if (!parsed.ok) {
          sendTo(ws, { type: "error", code: parsed.code, message: parsed.message });
          return;
        }
        const message = parsed.message;
        if (message.type === "start_session") {
          await this.dispatch({ kind: "start", message, mint: await this.mint(message.group ?? null) });
        } else {
          await this.dispatch({ kind: "message", message });
        }
      })
      .catch((error) => this.reportFailure(ws, error));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Reciprocate, or some clients report 1006 instead of the code they sent.
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      // Already closed: nothing to reciprocate.
    }
  }

  override async webSocketError(_ws: WebSocket, error: unknown): Promise<void> {
    console.warn(`InterviewSession ${this.ctx.id}: socket error`, error);
  }

  /**
   * One alarm, three jobs: end the session at its deadline, finish a turn orphaned by
   * eviction, retry replication. The deadline goes first so a slow D1 cannot delay it.
   */
  override async alarm(): Promise<void> {
    await this.queue.run(async () => {
      const deadline = this.activeDeadline();
      if (deadline !== null && Date.now() >= deadline) await this.dispatch({ kind: "alarm" });
      else if (this.state?.pending) await this.consult(this.state.pending.request);
    });
    await this.replicate();
    await this.rearm();
  }

  /**
   * Deletes this object's copy of a session (outbox rows), and forgets the interview if it is
   * the current one: its socket is closed and the state dropped. Called by DELETE /sessions/:id.
   */
  async forgetSession(sessionId: string): Promise<void> {
    await this.queue.run(async () => {
      // A replication in flight could otherwise write the rows back after the caller's delete.
      await this.replication.settled();
      this.outbox.deleteSession(sessionId);
      if (this.state?.session?.id === sessionId) {
        this.turnAbort.abort();
        this.closeAll(4004, "session deleted");
        this.state = null;
        this.ctx.storage.kv.delete(STATE_KEY);
        await this.rearm();
      }
    });
  }

  /** Copies unreplicated outbox rows to D1; never throws, never delays a reply. */
  replicate(): Promise<void> {
    return this.replication.run();
  }

  /** The running session's time limit, or null when there is none to enforce. */
  private activeDeadline(): number | null {
    const session = this.state?.session;
    return session && !session.ended ? session.deadline : null;
  }

  /**
   * Whether `token` is the resume token of this object's current session, so HTTP routes can
   * authorise a session call without D1 (the token names this object).
   */
  async checkSession(sessionId: string, token: string): Promise<SessionCheck> {
    const session = this.state?.session;
    if (!session || session.id !== sessionId) return "not_found";
    if (!(await tokenMatches(token, session.resumeTokenHash))) return "forbidden";
    return session.ended ? "session_ended" : "ok";
  }

  /**
   * A check-in sent over HTTP, written through this object's outbox like the socket's own, so
   * it is kept even while D1 is down. After the end too: post-session surveys are check-ins.
   */
  async recordCheckin(
    sessionId: string,
    checkin: { group: Group | null; confidence: number; stress: number },
    key: string,
  ): Promise<"stored" | "not_consented" | "not_found"> {
    return this.queue.run(async () => {
      const session = this.state?.session;
      if (!session || session.id !== sessionId) return "not_found";
      await this.dispatch({ kind: "checkin_reported", sessionId, ...checkin, key });
      return session.consent ? "stored" : "not_consented";
    });
  }

  /** The server-measured STT latency of a session of this interview (POST /stt, audio answers). */
  async recordSpeechLatency(sessionId: string, latencyMs: number, payload: Record<string, unknown>): Promise<void> {
    await this.queue.run(() => this.dispatch({ kind: "measured", sessionId, eventType: "stt", latencyMs, payload }));
  }

  /**
   * An answer that reached the service as audio over HTTP, fed to the engine exactly like a
   * socket's `user_answer`: its replies (tips, question) go out on the interview's socket.
   */
  async submitAnswer(
    sessionId: string,
    answer: string,
    metrics: AnswerMetrics,
    expectedTurn?: number,
  ): Promise<SubmitAnswerOutcome> {
    return this.queue.run(async () => {
      const session = this.state?.session;
      if (!session || session.id !== sessionId) return { ok: false, code: "not_found" } as const;
      if (session.ended) return { ok: false, code: "session_ended" } as const;
      // `turn` of the question being answered; checked in the queue, so a retry cannot count twice.
      if (expectedTurn !== undefined && expectedTurn !== session.turn) {
        return { ok: false, code: "stale_turn", turn: session.turn } as const;
      }
      await this.dispatch({ kind: "message", message: { type: "user_answer", answer, metrics } });
      return { ok: true, turn: this.state?.session?.turn ?? session.turn + 1 } as const;
    });
  }

  /** Records this object holds for a session: its own copy, replicated to D1 separately. */
  records(sessionId: string): PersistRecord[] {
    return this.outbox.all(sessionId);
  }

  private async checkResume(sessionId: string, token: string): Promise<Response | null> {
    if (!token) return json(401, errorBody("unauthorized", "A resume token is required."));
    const check = await this.checkSession(sessionId, token);
    if (check === "session_ended") return json(409, errorBody("session_ended"));
    if (check !== "ok") return json(403, errorBody("forbidden", "The resume token does not match this session."));
    return null;
  }

  private async mint(clientGroup: Group | null): Promise<StartMint> {
    const objectId = this.ctx.id.toString();
    const resumeToken = mintResumeToken(objectId);
    return {
      sessionId: crypto.randomUUID(),
      objectId,
      resumeToken,
      resumeTokenHash: await sha256Hex(resumeToken),
      assignedGroup: clientGroup ?? (await this.assignGroup()),
    };
  }

  private async assignGroup(): Promise<Group> {
    try {
      return await this.env.GROUP_ASSIGNER.get(this.env.GROUP_ASSIGNER.idFromName("global")).assign();
    } catch (error) {
      // Balance is a nicety; starting the interview is not. A coin flip keeps it unbiased.
      console.error("GroupAssigner unavailable; assigning by coin flip", error);
      return secureRandom() < 0.5 ? "control" : "treatment";
    }
  }

  /** Runs only inside the queue, so a parked turn found here was orphaned by eviction. */
  private async dispatch(event: EngineEvent): Promise<void> {
    // An orphaned turn is finished before anything else, except that a resuming client is
    // first told where it stands, so it can take the turn's replies in context.
    const orphan = this.state?.pending?.request;
    if (orphan && event.kind !== "consulted" && event.kind !== "resumed") await this.consult(orphan);
    const before = this.state ?? initialState(crypto.randomUUID());
    const { state, effects } = reduce(before, event, { now: Date.now(), random: Math.random });
    const records = effects.flatMap((effect) => (effect.kind === "persist" ? [effect.record] : []));
    // Commit first: if storage fails, memory must not run ahead of what was stored.
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.kv.put(STATE_KEY, state);
      this.outbox.append(records);
    });
    this.state = state;
    if (records.length > 0) this.ctx.waitUntil(this.replicate());
    const consults: ConsultRequest[] = [];
    let rearm = false;
    for (const effect of effects) {
      if (effect.kind === "send") this.broadcast(effect.message);
      else if (effect.kind === "close") this.closeAll(effect.code, effect.reason);
      else if (effect.kind === "schedule") rearm = true;
      else if (effect.kind === "consult") consults.push(effect.request);
    }
    // A turn parking or finishing moves the rescue time, as a deadline change moves the alarm.
    if (rearm || Boolean(before.pending) !== Boolean(state.pending)) await this.rearm();
    for (const request of consults) await this.consult(request);
    if (event.kind === "resumed" && orphan && this.state?.pending?.request.id === orphan.id) await this.consult(orphan);
  }

  private async consult(request: ConsultRequest): Promise<void> {
    const signal = this.turnAbort.signal;
    let result = {};
    try {
      result = await this.model.consult(request, {
        signal,
        onQuestionDelta: request.stream
          ? (delta) => this.broadcast({ type: "interviewer_delta", turn: request.turn, delta })
          : undefined,
      });
    } catch (error) {
      console.error(`InterviewSession ${this.ctx.id}: model ${this.model.name} threw; heuristics answer`, error);
    }
    await this.dispatch({ kind: "consulted", requestId: request.id, result });
  }

  /** Sets the alarm to the earliest of: the session deadline, a replication retry, a parked turn's rescue. */
  private async rearm(): Promise<void> {
    const times = [
      this.activeDeadline(),
      this.replication.retryAt,
      this.state?.pending ? Date.now() + PARKED_TURN_RESCUE_MS : null,
    ].filter((t): t is number => t !== null);
    if (times.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...times));
  }

  private broadcast(message: ServerMessage): void {
    for (const ws of this.ctx.getWebSockets()) sendTo(ws, message);
  }

  private closeAll(code: number, reason: string): void {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(code, reason);
      } catch {
        // A socket already closing cannot be closed again.
      }
    }
  }

  private bucketFor(ws: WebSocket): TokenBucket {
    let bucket = this.buckets.get(ws);
    if (!bucket) {
      bucket = new TokenBucket(RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND, Date.now());
      this.buckets.set(ws, bucket);
    }
    return bucket;
  }

  private reportFailure(ws: WebSocket, error: unknown): void {
    console.error(`InterviewSession ${this.ctx.id}: frame failed`, error);
    const code: ErrorCode = "internal";
    sendTo(ws, { type: "error", ...errorBody(code, "The server could not process this message; please try again.") });
  }
}

function sendTo(ws: WebSocket, message: ServerMessage): void {
  try {
    ws.send(JSON.stringify(message));
  } catch {
    // The socket closed under us; the state is stored and a resume will catch up.
  }
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
