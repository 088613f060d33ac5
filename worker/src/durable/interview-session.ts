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
 * A turn costs one storage commit (state and records together) and at most one alarm write:
 * when the model can answer without I/O (no key, or its circuit open) the turn is finished
 * in the same step. Records reach D1 by coalesced replication from the journal: the alarm
 * flushes them a few seconds later (many turns in one `db.batch`), and the session's end or
 * a large backlog flushes at once. The alarm also carries the session time limit and the
 * rescue of a parked turn (storage/README.md, "The write path").
 */
import { DurableObject } from "cloudflare:workers";
import {
  MODEL_TURNS_PER_MINUTE,
  RATE_LIMIT_BURST,
  SESSION_STARTS_PERIOD_SECONDS,
  RATE_LIMIT_PER_SECOND,
  errorBody,
  parseClientFrame,
  type AnswerMetrics,
  type ClientMessage,
  type ErrorCode,
  type Group,
  type PersistRecord,
  type ServerMessage,
} from "@interview/shared";
import { initialState, reduce } from "../engine/engine.ts";
import { rubricsToRescue } from "../engine/rubric-turn.ts";
import { turnCapWait } from "../engine/turn-cap.ts";
import type { ConsultRequest, ConsultResult, EarlierSessions, Effect, EngineEvent, InterviewState, RubricRequest, StartMint } from "../engine/types.ts";
import { logModelFallbacks, logModelThrew } from "./fallback-log.ts";
import type { Env } from "../env.ts";
import { coachMode } from "../engine/answer-feedback.ts";
import type { TimedWord } from "../coach/types.ts";
import type { AnswerScore } from "../engine/types.ts";
import { selectInterviewerModel } from "../model/select-model.ts";
import type { InterviewerModel } from "../model/interviewer-model.ts";
import { SerialQueue } from "./serial-queue.ts";
import { TokenBucket } from "./token-bucket.ts";
import { mintResumeToken, sha256Hex, tokenMatches } from "./resume-token.ts";
import { armForStart } from "./start-arm.ts";
import { registerSession } from "./session-location.ts";
import { drizzle } from "drizzle-orm/d1";
import { OutboxReplication } from "./outbox-replication.ts";
import { AlarmSchedule, earliest } from "./alarm-schedule.ts";
import { CommitJournal, REPLAY_LIMIT } from "./commit-journal.ts";
import { StateStore, type StateWrite } from "./state-store.ts";
import { offeredSubprotocols } from "./socket-subprotocol.ts";
import { requestIdOf, withRequestContext, type CallTrace } from "../ops/request-context.ts";
import { recordModelCalls, recordReplication } from "../ops/figures.ts";
import { VoiceChannel } from "./voice/voice-channel.ts";
import { EarlierSessionsCache, readEarlierSessions, tryReadEarlierSessions } from "./earlier-sessions.ts";
import type { ResearchDb } from "../storage/research-db.ts";

export type SubmitAnswerOutcome =
  | { ok: true; turn: number }
  | { ok: false; code: "not_found" | "session_ended" }
  /** The answer was for another question: a retried upload, or a typed answer got there first. */
  | { ok: false; code: "stale_turn"; turn: number }
  /** Over the session's model turns per minute; `retryAfter` in seconds. */
  | { ok: false; code: "rate_limited"; retryAfter: number };

export type SessionCheck = "ok" | "not_found" | "forbidden" | "session_ended";

/**
 * While a turn waits on the model the alarm is also set this far ahead, so a turn orphaned
 * by eviction is finished even if the candidate sends nothing more. In a live object the
 * alarm just waits for the turn in flight and re-arms.
 */
const PARKED_TURN_RESCUE_MS = 15_000;
/**
 * Records wait this long in the outbox before the alarm copies them to D1, so one round trip
 * carries several turns of an interview. Durable already: only D1's copy waits.
 */
export const REPLICATION_FLUSH_MS = 5_000;
/** A backlog this large is flushed at once rather than by the timer. */
export const REPLICATION_FLUSH_ROWS = 64;
/** What a socket carries through hibernation. */
interface SocketAttachment {
  /** The client's address (CF-Connecting-IP), or null when the request had none. */
  client: string | null;
  /** The Cloudflare location the client connected to (`cf.colo`): picks the group assigner. */
  location: string | null;
  /**
   * False for a resuming socket until it has had `session_resumed` and the replay: live
   * messages of a turn still in flight would otherwise reach it first, and then again in the
   * replay.
   */
  live: boolean;
  /** The Worker's id for the upgrade request (x-request-id): this socket's log lines carry it. */
  requestId?: string | null;
}

/** Close code sent to a socket that another connection resumed the interview from. */
const CLOSE_REPLACED = 4001;

/** A resume refused because this interview no longer holds the session the token was for. */
export const RESUME_FORGOTTEN =
  "This session cannot be resumed: it was deleted or has ended, or a newer session replaced it. Start a new session (connect without a resume token).";

export class InterviewSession extends DurableObject<Env> {
  private state: InterviewState | null;
  /**
   * The state as stored, as JSON text (a structured-clone serialisation of the object cost
   * several times more per turn), written by what changed: the answers' scores each under its
   * own key. It also tells whether a frame changed anything.
   */
  private readonly stored: StateStore;
  /** One row per commit: its records until D1 has them, its numbered messages for resumes. */
  private readonly journal: CommitJournal;
  private readonly queue = new SerialQueue();
  private readonly buckets = new WeakMap<WebSocket, TokenBucket>();
  /** Each socket's request id (its attachment's), read once per wake-up, not per audio frame. */
  private readonly socketRequestIds = new WeakMap<WebSocket, string | null>();
  private readonly model: InterviewerModel;
  private turnAbort = new AbortController();
  private readonly replication: OutboxReplication;
  private readonly alarmSchedule: AlarmSchedule;
  /** Spoken answers, interviewer audio and playback reports (opt-in: `start_session.audio`). */
  private readonly voice: VoiceChannel;
  /** D1 for the report's comparison with earlier sessions (a field, so a test can make it fail). */
  private reportDb: () => ResearchDb = () => drizzle(this.env.DB);
  private readonly earlierCache: EarlierSessionsCache;
  /** Rubric calls this instance has in flight, by `sessionId:turn`. */
  private readonly rubricsInFlight = new Set<string>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.stored = new StateStore(ctx.storage);
    this.state = this.stored.load();
    this.journal = new CommitJournal(ctx.storage);
    this.earlierCache = new EarlierSessionsCache(ctx.storage);
    this.alarmSchedule = new AlarmSchedule(ctx.storage);
    this.replication = new OutboxReplication(
      this.journal,
      ctx.storage.kv,
      () => drizzle(env.DB),
      () => this.rearm(),
      `InterviewSession ${ctx.id}`,
      (run) => recordReplication(env, ctx.id.toString(), { ...run, backlogAfter: this.journal.size() }),
    );
    this.model = selectInterviewerModel(env);
    this.voice = new VoiceChannel({
      env,
      kv: ctx.storage.kv,
      sockets: () => this.liveSockets(),
      session: () => this.state?.session ?? null,
      announce: (sessionId, message) => this.queue.run(() => this.dispatch({ kind: "announced", sessionId, message })),
      measure: (sessionId, eventType, latencyMs, payload, announce) =>
        this.queue.run(() => this.dispatch({ kind: "measured", sessionId, eventType, latencyMs, payload, ...(announce ? { announce } : {}) })),
      submitAnswer: (sessionId, answer, metrics, turn, words) => this.submitAnswer(sessionId, answer, metrics, turn, words),
    });
  }

  override async fetch(request: Request): Promise<Response> {
    return withRequestContext({ requestId: requestIdOf(request), sessionId: this.state?.session?.id ?? null }, () => this.upgrade(request));
  }

  private async upgrade(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return json(426, errorBody("upgrade_required"));
    }
    const url = new URL(request.url);
    const subprotocol = offeredSubprotocols(request.headers);
    // The subprotocol's token alone names the session (this object's current one); the query
    // form names it and carries the token in the URL.
    const resumeId = url.searchParams.get("session");
    const resuming = subprotocol.resumeToken !== null || resumeId !== null;
    if (resuming) {
      const refusal = await this.checkResume(
        subprotocol.resumeToken !== null ? (this.state?.session?.id ?? "") : resumeId!,
        subprotocol.resumeToken ?? url.searchParams.get("token") ?? "",
      );
      if (refusal) return refusal;
    }
    const lastSeq = parseLastSeq(url.searchParams.get("lastSeq"));
    if (lastSeq === "invalid") {
      return json(400, errorBody("validation_failed", "lastSeq must be a whole number: the seq of the last message the client has."));
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    // One live socket per interview: a resume replaces whatever connection was there.
    for (const old of this.ctx.getWebSockets()) old.close(CLOSE_REPLACED, "replaced by a resumed connection");
    // A turn in flight is not abandoned: it finishes, and the resumed client gets its replies
    // in the replay, so a drop while the model writes changes nothing in the conversation.
    this.ctx.acceptWebSocket(server);
    // Kept with the socket so it survives hibernation: who to count session starts against.
    server.serializeAttachment({
      client: request.headers.get("CF-Connecting-IP"),
      location: typeof request.cf?.colo === "string" ? request.cf.colo : null,
      live: !resuming,
      requestId: requestIdOf(request),
    } satisfies SocketAttachment);
    const event: EngineEvent = resuming ? { kind: "resumed", ...(lastSeq === null ? {} : { lastSeq }) } : { kind: "connected" };
    void this.queue.run(() => this.dispatch(event)).catch((error) => this.reportFailure(server, error));
    const headers: HeadersInit = subprotocol.selected ? { "Sec-WebSocket-Protocol": subprotocol.selected } : {};
    return new Response(null, { status: 101, webSocket: client, headers });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    let requestId = this.socketRequestIds.get(ws);
    if (requestId === undefined) {
      requestId = (ws.deserializeAttachment() as SocketAttachment | null)?.requestId ?? null;
      this.socketRequestIds.set(ws, requestId);
    }
    return withRequestContext({ requestId, sessionId: this.state?.session?.id ?? null }, () => this.onFrame(ws, data));
  }

  private async onFrame(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    // A spoken answer's audio (50 frames a second) passes the flood limit and the frame queue.
    if (typeof data !== "string" && ws.readyState === WebSocket.OPEN && this.voice.takeAudio(ws, data)) return;
    if (this.limitsOn && !this.bucketFor(ws).take(Date.now())) {
      sendTo(ws, { type: "error", ...errorBody("rate_limited") });
      return;
    }
    // Voice messages act at once: audio_start must be in place before its audio frames.
    if (typeof data === "string" && this.voice.takeMessage(ws, data)) return;
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
          const refusal = await this.admitStart(ws);
          if (refusal) {
            sendTo(ws, refusal);
            return;
          }
          const location = (ws.deserializeAttachment() as SocketAttachment | null)?.location ?? null;
          const mint = await this.mint(message, location);
          if ("type" in mint) {
            sendTo(ws, mint);
            return;
          }
          this.voice.configure(mint.sessionId, message.audio);
          await this.dispatch({ kind: "start", message, mint });
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
    this.alarmSchedule.fired();
    await this.queue.run(async () => {
      const deadline = this.activeDeadline();
      if (deadline !== null && Date.now() >= deadline) await this.dispatch({ kind: "alarm" });
      else if (this.state?.pending) await this.consult(this.state.pending.request);
      this.rescueRubrics();
    });
    await this.replicate();
    await this.rearm();
  }

  /** Copies the backlog to D1 now; returns how many rows are still waiting (0 unless D1 failed). */
  async flush(): Promise<number> {
    await this.replicate();
    return this.journal.size();
  }

  /**
   * Deletes this object's copy of a session (journal rows), and forgets the interview if it is
   * the current one: its socket is closed and the state dropped. Called by DELETE /sessions/:id.
   */
  async forgetSession(sessionId: string, trace?: CallTrace): Promise<void> {
    await this.traced(sessionId, trace, () => this.queue.run(async () => {
      // A replication in flight could otherwise write the rows back after the caller's delete.
      await this.replication.settled();
      this.journal.deleteSession(sessionId);
      if (this.state?.session?.id === sessionId) {
        this.earlierCache.clear();
        this.turnAbort.abort();
        this.voice.forget();
        this.closeAll(4004, "session deleted");
        this.state = null;
        this.stored.clear();
        await this.rearm();
      }
    }));
  }

  /** Serves an RPC call as part of the caller's request (its id on the object's log lines). */
  private traced<T>(sessionId: string, trace: CallTrace | undefined, work: () => Promise<T>): Promise<T> {
    return withRequestContext({ requestId: trace?.requestId ?? null, sessionId }, work);
  }

  /**
   * The end's flush, then the alarm set to what is still due: once D1 has everything, the
   * flush alarm an ended session no longer needs is dropped, instead of waking the object
   * once more for nothing.
   */
  private async replicateAndRearm(): Promise<void> {
    await this.replicate();
    await this.queue.run(() => this.rearm());
  }

  /** Copies the journal's waiting records to D1; never throws, never delays a reply. */
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
    trace?: CallTrace,
  ): Promise<"stored" | "not_consented" | "not_found" | "storage_full"> {
    return this.traced(sessionId, trace, () => this.queue.run(async () => {
      const session = this.state?.session;
      if (!session || session.id !== sessionId) return "not_found";
      await this.dispatch({ kind: "checkin_reported", sessionId, ...checkin, key });
      if (!session.consent) return "not_consented";
      // `seq` counts the session's records: unchanged, the engine refused it (SESSION_RECORDS_MAX).
      return (this.state?.session?.seq ?? session.seq) > session.seq ? "stored" : "storage_full";
    }));
  }

  /** The server-measured STT latency of a session of this interview (POST /stt, audio answers). */
  async recordSpeechLatency(sessionId: string, latencyMs: number, payload: Record<string, unknown>, trace?: CallTrace): Promise<void> {
    await this.traced(sessionId, trace, () => this.queue.run(() => this.dispatch({ kind: "measured", sessionId, eventType: "stt", latencyMs, payload })));
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
    /** The transcript's word timings, for the delivery part of `feedback`. */
    words?: TimedWord[],
    trace?: CallTrace,
  ): Promise<SubmitAnswerOutcome> {
    return this.traced(sessionId, trace, () => this.queue.run(async () => {
      const session = this.state?.session;
      if (!session || session.id !== sessionId) return { ok: false, code: "not_found" } as const;
      if (session.ended) return { ok: false, code: "session_ended" } as const;
      // `turn` of the question being answered; checked in the queue, so a retry cannot count twice.
      if (expectedTurn !== undefined && expectedTurn !== session.turn) {
        return { ok: false, code: "stale_turn", turn: session.turn } as const;
      }
      // Refused here rather than by the engine, so the upload's caller gets the 429, not the socket.
      const wait = turnCapWait(session, Date.now());
      if (wait !== null) return { ok: false, code: "rate_limited", retryAfter: wait } as const;
      await this.dispatch({ kind: "message", message: { type: "user_answer", answer, metrics }, ...(words && words.length > 0 ? { words } : {}) });
      return { ok: true, turn: this.state?.session?.turn ?? session.turn + 1 } as const;
    }));
  }

  /**
   * The coaching scores the object keeps for its current session (stored or not: without
   * consent they never reach D1), with its participant and start, for GET /sessions/:id/report;
   * null when this is not the session it holds.
   */
  coachingScores(sessionId: string): { scores: AnswerScore[]; participantId: string | null; startedAt: number } | null {
    const s = this.state?.session;
    if (!s || s.id !== sessionId) return null;
    return { scores: s.scores ?? [], participantId: s.participantId ?? null, startedAt: s.startedAt };
  }

  /** A session's records that D1 does not have yet (they leave the object once it does). */
  backlog(sessionId: string): PersistRecord[] {
    return this.journal.waiting(sessionId);
  }

  private async checkResume(sessionId: string, token: string): Promise<Response | null> {
    if (!token) return json(401, errorBody("unauthorized", "A resume token is required."));
    const check = await this.checkSession(sessionId, token);
    if (check === "session_ended") return json(409, errorBody("session_ended"));
    // The object has forgotten the session (deleted, or replaced by a newer one): say so, and what to do.
    if (check === "not_found") return json(403, errorBody("forbidden", RESUME_FORGOTTEN));
    if (check !== "ok") return json(403, errorBody("forbidden", "The resume token does not match this session."));
    return null;
  }

  /**
   * Ids and the arm of a new session, or the refusal to send instead (an unknown participant,
   * the registry unreachable). The arm is the participant's (durable/start-arm.ts): a restart on
   * this socket without a participantId stays the previous session's participant.
   */
  private async mint(
    message: Extract<ClientMessage, { type: "start_session" }>,
    location: string | null,
  ): Promise<StartMint | ServerMessage> {
    const sessionId = crypto.randomUUID();
    const objectId = this.ctx.id.toString();
    // Registered beside the arm's draw, not after it: an entry for a start that is refused names
    // a session no object holds, which lookups treat as unknown.
    const [arm] = await Promise.all([
      armForStart(this.env, {
        presented: message.participantId ?? null,
        previous: this.state?.session?.participantId ?? null,
        clientGroup: message.group ?? null,
        location,
      }),
      registerSession(this.env, sessionId, objectId),
    ]);
    if (!arm.ok) return arm.refusal;
    const resumeToken = mintResumeToken(objectId);
    return {
      sessionId,
      objectId,
      resumeToken,
      resumeTokenHash: await sha256Hex(resumeToken),
      arm: arm.arm,
      turnCap: this.limitsOn ? MODEL_TURNS_PER_MINUTE : null,
    };
  }

  /**
   * Session starts per client address (the `SESSION_STARTS` rate limiter, numbers in
   * wrangler.toml), checked for every start, restarts on the same socket included. Without
   * an address (local tests) or a limiter there is nothing to count against; a limiter that
   * fails lets the start through rather than refuse a candidate.
   */
  private async admitStart(ws: WebSocket): Promise<ServerMessage | null> {
    const client = (ws.deserializeAttachment() as SocketAttachment | null)?.client;
    if (!this.limitsOn || !client || !this.env.SESSION_STARTS) return null;
    try {
      const { success } = await this.env.SESSION_STARTS.limit({ key: client });
      if (success) return null;
    } catch (error) {
      console.error(`InterviewSession ${this.ctx.id}: session start limiter failed; admitting`, error);
      return null;
    }
    return {
      type: "error",
      ...errorBody("rate_limited", `Too many interviews started from this address; try again in ${SESSION_STARTS_PERIOD_SECONDS} s.`),
      retryAfter: SESSION_STARTS_PERIOD_SECONDS,
    };
  }

  /** `RATE_LIMITS=off` (local benchmarks) turns off every limit: starts, model turns, the frame flood limit. */
  private get limitsOn(): boolean {
    return this.env.RATE_LIMITS !== "off";
  }

  /** Runs only inside the queue, so a parked turn found here was orphaned by eviction. */
  private async dispatch(event: EngineEvent): Promise<void> {
    // An orphaned turn is finished before anything else, except that a resuming client is
    // first told where it stands, so it can take the turn's replies in context.
    const orphan = this.state?.pending?.request;
    if (orphan && event.kind !== "consulted" && event.kind !== "resumed") await this.consult(orphan);
    const before = this.state ?? initialState(crypto.randomUUID());
    const { state, effects, consults, answeredNow } = await this.stepWithComparison(before, event);
    for (const { request, result } of answeredNow) {
      logModelFallbacks(request.sessionId, request.turn, result.calls);
      recordModelCalls(this.env, result.calls);
    }
    const records = effects.flatMap((effect) => (effect.kind === "persist" ? [effect.record] : []));
    // Each message is serialised once: for the socket and, when numbered, for the replay log.
    const outgoing = effects.flatMap((effect) =>
      effect.kind === "send" ? [{ seq: effect.message.seq, frame: JSON.stringify(effect.message) }] : [],
    );
    const numbered = outgoing.filter((o) => o.seq !== undefined);
    await this.alarmSchedule.load();
    const stateWrite = this.stored.plan(state);
    // Nothing stored changed (a refused frame, a fresh connection): nothing to write.
    if (records.length > 0 || stateWrite) {
      // Commit first: if storage fails, memory must not run ahead of what was stored.
      // Ended without consent: its messages quote the answers and no resume can ask for them.
      const forgetMessages = Boolean(state.session?.ended && !state.session.consent);
      try {
        this.commit(stateWrite, records, state.session?.id ?? records[0]?.sessionId, state.session && !forgetMessages ? numbered : [], forgetMessages);
      } catch (error) {
        this.journal.rolledBack();
        this.stored.reload();
        throw error;
      }
    }
    this.state = state;
    // Written with the commit, before the replies: the output gate holds them until both are stored.
    const alarmWrite = this.alarmSchedule.fireBy(this.nextAlarmTime());
    const ended = Boolean(state.session?.ended) && !before.session?.ended;
    if (ended) this.ctx.waitUntil(this.replicateAndRearm());
    const started = state.session && state.session.id !== before.session?.id ? state.session : null;
    if (started?.participantId) this.ctx.waitUntil(this.prefetchEarlier(started.id, started.participantId, started.startedAt));
    else if (this.journal.size() >= REPLICATION_FLUSH_ROWS) this.ctx.waitUntil(this.replicate());
    // A resume speaks to the sockets waiting for it; everything else to the live ones.
    const sockets = event.kind === "resumed" ? this.waitingSockets() : this.liveSockets();
    let sent = 0;
    for (const effect of effects) {
      if (effect.kind === "send") {
        const { frame } = outgoing[sent++]!;
        for (const ws of sockets) sendFrame(ws, frame);
      } else if (effect.kind === "close") this.closeAll(effect.code, effect.reason);
    }
    if (state.session && event.kind !== "resumed") this.voice.sent(state.session, effects);
    if (event.kind === "resumed") {
      if (event.lastSeq !== undefined) this.replay(sockets, event.lastSeq);
      for (const ws of sockets) ws.serializeAttachment({ ...(ws.deserializeAttachment() as SocketAttachment), live: true });
    }
    if (alarmWrite) await alarmWrite;
    for (const effect of effects) if (effect.kind === "rubric") this.askRubric(effect.request);
    for (const request of consults) await this.consult(request);
    if (event.kind === "resumed" && orphan && this.state?.pending?.request.id === orphan.id) await this.consult(orphan);
  }

  /** The state and the commit's journal row (its records for D1, its numbered messages), in one transaction. */
  private commit(
    stateWrite: StateWrite | null,
    records: PersistRecord[],
    sessionId: string | undefined,
    numbered: { seq?: number | undefined; frame: string }[],
    forgetMessages = false,
  ): void {
    this.ctx.storage.transactionSync(() => {
      if (stateWrite) this.stored.write(stateWrite);
      if (sessionId === undefined) return;
      if (forgetMessages) this.journal.forgetMessages(sessionId);
      this.journal.append({
        sessionId,
        records,
        sent:
          numbered.length > 0
            ? { firstSeq: numbered[0]!.seq!, lastSeq: numbered[numbered.length - 1]!.seq!, frames: numbered.map((o) => o.frame) }
            : null,
      });
    });
  }

  /**
   * What a resuming client missed: the session's messages after `lastSeq`, in order, right
   * after `session_resumed` and before anything live (this runs inside the frame queue).
   */
  private replay(sockets: WebSocket[], lastSeq: number): void {
    const session = this.state?.session;
    if (!session) return;
    const { frames, complete } = this.journal.after(session.id, lastSeq);
    if (!complete) {
      const gap = errorBody("replay_gap", `Messages after seq ${lastSeq} are no longer all kept (the last ${REPLAY_LIMIT} are); session_resumed holds the state to continue from.`);
      for (const ws of sockets) sendTo(ws, { type: "error", ...gap });
    }
    for (const frame of frames) for (const ws of sockets) sendFrame(ws, frame);
  }

  /**
   * Reduces `event`, and at once every consult the model can answer without I/O, so such a
   * turn is one transition: one commit, replies in the engine's order. The consults left
   * need the network.
   */
  private step(before: InterviewState, event: EngineEvent, now: number, earlier: EarlierSessions | null = null): Stepped {
    const ctx = { now, random: Math.random, coach: coachMode(this.env.COACH), earlier, rubric: this.rubricsOn };
    let { state, effects } = reduce(before, event, ctx);
    const consults: ConsultRequest[] = [];
    const answeredNow: Stepped["answeredNow"] = [];
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]!;
      if (effect.kind !== "consult") continue;
      const result = this.model.consultNow?.(effect.request) ?? null;
      if (result) answeredNow.push({ request: effect.request, result });
      if (result === null) {
        consults.push(effect.request);
        continue;
      }
      const next = reduce(state, { kind: "consulted", requestId: effect.request.id, result }, ctx);
      state = next.state;
      effects = [...effects.slice(0, i + 1), ...next.effects, ...effects.slice(i + 1)];
    }
    return { state, effects, consults, answeredNow };
  }

  /**
   * `step`, and when it ends the session with a report, again with the participant's earlier
   * sessions (the engine reads no database), so the socket's `report` compares as GET
   * /sessions/:id/report does: the read made at the session's start (`prefetchEarlier`), or,
   * without one, a read from D1 now. Only the second run's effects are used; no comparison to
   * be had, the first run's report (without it) goes out.
   */
  private async stepWithComparison(before: InterviewState, event: EngineEvent): Promise<Stepped> {
    const now = Date.now();
    const stepped = this.step(before, event, now);
    const s = stepped.state.session;
    const endsWithReport =
      Boolean(s?.ended) && !(before.session?.id === s?.id && before.session?.ended) && stepped.effects.some((e) => e.kind === "send" && e.message.type === "report");
    if (!s || !endsWithReport || !s.participantId) return stepped;
    const kept = this.earlierCache.get(s.id);
    const earlier = kept ? kept.earlier : await readEarlierSessions(this.reportDb, s.participantId, s.startedAt);
    return earlier ? this.step(before, event, now, earlier) : stepped;
  }

  /**
   * At a session's start, in the background: the participant's earlier sessions for the end's
   * report, kept with the session's id, so the last reply waits for no D1 read (a failed read
   * is left to the end to try again).
   */
  private async prefetchEarlier(sessionId: string, participantId: string, startedAt: number): Promise<void> {
    const read = await tryReadEarlierSessions(this.reportDb, participantId, startedAt);
    if (read && this.state?.session?.id === sessionId) this.earlierCache.put(sessionId, read);
  }

  /**
   * The model's rubric for an answer, in the background: the turn's replies never wait for it
   * (README, Coaching: "With the model"). Its result is fed back through the frame queue, so
   * it follows the turn's own replies; a call the circuit refused without a request is not
   * fed back (nothing to show, no commit). `COACH_RUBRIC=off` turns the call off. The engine
   * keeps the request until its result comes (`rubricsAsked`), so an object evicted while the
   * call was in flight asks it again from its alarm (`rescueRubrics`).
   */
  /** Whether each answer gets the model's rubric: a model that has one, and `COACH_RUBRIC` not `off`. */
  private get rubricsOn(): boolean {
    return Boolean(this.model.rubric) && this.env.COACH_RUBRIC?.trim().toLowerCase() !== "off";
  }

  /** Asks again the rubrics the engine still waits for that no call of this instance is answering (lost with an evicted instance). */
  private rescueRubrics(): void {
    for (const request of rubricsToRescue(this.state?.session, Date.now())) this.askRubric(request);
  }

  private askRubric(request: RubricRequest): void {
    const rubric = this.model.rubric?.bind(this.model);
    const key = `${request.sessionId}:${request.turn}`;
    if (!rubric || !this.rubricsOn || this.rubricsInFlight.has(key)) return;
    this.rubricsInFlight.add(key);
    const done = rubric(request, this.turnAbort.signal)
      .finally(() => this.rubricsInFlight.delete(key))
      .then(async (result) => {
        logModelFallbacks(request.sessionId, request.turn, result.calls);
        recordModelCalls(this.env, result.calls);
        if (!result.scores && result.calls.every((call) => call.attempts === 0)) return;
        await this.queue.run(() => this.dispatch({ kind: "rubric_scored", sessionId: request.sessionId, turn: request.turn, result }));
      })
      .catch((error) => console.error(`InterviewSession ${this.ctx.id}: rubric result not applied`, error));
    this.ctx.waitUntil(done);
  }

  private async consult(request: ConsultRequest): Promise<void> {
    const signal = this.turnAbort.signal;
    let result: ConsultResult = {};
    // With audio output, the question is voiced while the model writes it (voice/interviewer-voice.ts).
    const spoken = this.voice.questionStream(request);
    try {
      result = await this.model.consult(request, {
        signal,
        onQuestionDelta: request.stream
          ? (delta) => {
              this.broadcast({ type: "interviewer_delta", turn: request.turn, delta });
              spoken?.push(delta);
            }
          : undefined,
        ...(spoken ? { onQuestionDone: (question: string | null) => spoken.done(question) } : {}),
      });
      logModelFallbacks(request.sessionId, request.turn, result.calls);
      recordModelCalls(this.env, result.calls);
    } catch (error) {
      logModelThrew(request.sessionId, request.turn, this.model.name, error);
    }
    try {
      await this.dispatch({ kind: "consulted", requestId: request.id, result });
    } finally {
      spoken?.settle();
    }
  }

  /**
   * When the alarm must fire next: the session deadline, a parked turn's rescue, and while
   * rows wait for D1 the flush (or the replication retry's backoff, while D1 fails).
   */
  private nextAlarmTime(): number | null {
    const now = Date.now();
    const flush = this.journal.size() > 0 ? (this.replication.retryAt ?? now + REPLICATION_FLUSH_MS) : null;
    // A rubric still waited for wakes an object that lost its call (rubric-turn.ts); a live one
    // finds it in flight and only re-arms, until the call ends or the rescue window passes.
    const rubric = rubricsToRescue(this.state?.session, now).length > 0;
    return earliest(this.activeDeadline(), this.state?.pending || rubric ? now + PARKED_TURN_RESCUE_MS : null, flush);
  }

  /** Makes the alarm fire by the next job, or drops it when there is none. */
  private async rearm(): Promise<void> {
    const next = this.nextAlarmTime();
    if (next === null) await this.alarmSchedule.clear();
    else {
      await this.alarmSchedule.load();
      await this.alarmSchedule.fireBy(next);
    }
  }

  private liveSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => (ws.deserializeAttachment() as SocketAttachment | null)?.live !== false);
  }

  private waitingSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => (ws.deserializeAttachment() as SocketAttachment | null)?.live === false);
  }

  private broadcast(message: ServerMessage): void {
    for (const ws of this.liveSockets()) sendTo(ws, message);
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

/** One reduction with the consults the model answered without I/O folded in. */
interface Stepped {
  state: InterviewState;
  effects: Effect[];
  /** Consults that need the network. */
  consults: ConsultRequest[];
  /** Consults answered without I/O: logged and counted once the step is chosen. */
  answeredNow: { request: ConsultRequest; result: ConsultResult }[];
}

function sendTo(ws: WebSocket, message: ServerMessage): void {
  sendFrame(ws, JSON.stringify(message));
}

function sendFrame(ws: WebSocket, frame: string): void {
  try {
    ws.send(frame);
  } catch {
    // The socket closed under us; the state is stored and a resume will catch up.
  }
}

/** `?lastSeq=`: absent (no replay), a whole number, or invalid. */
function parseLastSeq(value: string | null): number | null | "invalid" {
  if (value === null) return null;
  return /^\d{1,9}$/.test(value) ? Number(value) : "invalid";
}

function json(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
