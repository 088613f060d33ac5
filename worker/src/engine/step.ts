/**
 * The engine's working step: a private copy of the state plus the effects a handler emits,
 * with the rules every handler shares (record keys, the consent filter, error frames).
 */
import { SESSION_RECORDS_MAX, errorBody, type ClientMessage, type ErrorCode, type PersistRecord, type ServerMessage } from "@interview/shared";
import type { Effect, EngineContext, InterviewState, SessionState, Transition } from "./types.ts";

export type MessageOf<T extends ClientMessage["type"]> = Extract<ClientMessage, { type: T }>;

/** Collects effects while a handler works on a private copy of the state. */
export class Step {
  readonly effects: Effect[] = [];
  constructor(
    public state: InterviewState,
    readonly ctx: EngineContext,
  ) {}
  /** Numbers the message when it belongs to the session's stream (protocol.ts, ServerMessage). */
  send(message: ServerMessage): void {
    const s = this.state.session;
    if (s && message.type !== "session_ready" && message.type !== "session_resumed") {
      s.sentSeq = (s.sentSeq ?? 0) + 1;
      this.effects.push({ kind: "send", message: { ...message, seq: s.sentSeq } });
      return;
    }
    this.effects.push({ kind: "send", message });
  }
  error(code: ErrorCode, message?: string, retryAfter?: number): void {
    this.send({ type: "error", ...errorBody(code, message), ...(retryAfter === undefined ? {} : { retryAfter }) });
  }
  /**
   * Without consent only the session row is kept (docs/decisions.md, Add). `key` overrides the
   * sequence key for a record whose sender supplied its own idempotency key (HTTP retries).
   * A session keeps at most `SESSION_RECORDS_MAX` records (`seq` counts them); false when this
   * one was refused for that.
   */
  persist(
    session: SessionState,
    record: DistributiveOmit<PersistRecord, "key" | "sessionId" | "createdAt">,
    key = `${session.id}:${session.seq}`,
  ): boolean {
    if (!session.consent && record.kind !== "session") return true;
    if (record.kind !== "session" && session.seq >= SESSION_RECORDS_MAX) return false;
    session.seq += 1;
    this.effects.push({
      kind: "persist",
      record: { ...record, key, sessionId: session.id, createdAt: this.ctx.now } as PersistRecord,
    });
    return true;
  }
  telemetry(session: SessionState, eventType: string, payload: unknown, latencyMs: number | null = null): boolean {
    return this.persist(session, { kind: "telemetry", eventType, payload, latencyMs, group: session.group });
  }
  /** Tells the client that what it sent was not stored: the session holds all it may. */
  storageFull(what: string): void {
    this.error("storage_full", `This session has stored the ${SESSION_RECORDS_MAX} records a session may keep; this ${what} was not stored. Start a new session to keep recording.`);
  }
  result(): Transition {
    return { state: this.state, effects: this.effects };
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
