/**
 * The fleet benchmark's load client: N WebSockets at once, each an interview (or an echo
 * session), answers timed from send to the reply that acknowledges them. Runs in Node 22
 * (types stripped natively), so only erasable TypeScript here.
 */
import WebSocket from "ws";

/** A session that has not received `session_ready` (or, for echo, opened) by then failed. */
export const CONNECT_TIMEOUT_MS = 15_000;
/** A turn with no reply by then fails its session. */
export const TURN_TIMEOUT_MS = 30_000;

type Frame = { type: string; [key: string]: unknown };

export type LoadResult = {
  kind: "project" | "echo";
  sessions: number;
  answersPerSession: number;
  /** Sessions connected (and, for the project, started) before the answering phase. */
  ready: number;
  failedSessions: number;
  /** Why sessions failed: reason → count. */
  failures: Record<string, number>;
  answersSent: number;
  answersAcknowledged: number;
  /** From the first answer sent to the last reply (or failure) of the answering phase. */
  answeringWallMs: number;
  turnsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Connect (and start) phase: from opening the sockets to every session ready or failed. */
  setupWallMs: number;
  /** session_id of every started interview (project only). */
  sessionIds: string[];
  /** This process's CPU time during the answering phase, ms. */
  clientCpuMs: number;
  /** `question` frames whose `turn` was not the one an answer was waiting for (skipped, not timed). */
  unexpectedQuestions: number;
};

class SessionFailed extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

/** One socket, its frames queued with their arrival times, read in order. */
class Conn {
  private readonly inbox: { frame: Frame; at: number }[] = [];
  private waiter: (() => void) | null = null;
  private closed: string | null = null;
  readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS });
    this.ws.on("message", (data) => {
      const at = performance.now();
      let frame: Frame;
      try {
        frame = JSON.parse(String(data)) as Frame;
      } catch {
        frame = { type: "_unparsed", body: String(data) };
      }
      this.inbox.push({ frame, at });
      this.wake();
    });
    this.ws.on("error", (error) => {
      this.closed ??= `socket error: ${shortError(error)}`;
      this.wake();
    });
    this.ws.on("close", (code) => {
      this.closed ??= `closed ${code}`;
      this.wake();
    });
  }

  opened(timeoutMs: number): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SessionFailed("connect timeout")), timeoutMs);
      this.ws.once("open", () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.once("error", (error) => {
        clearTimeout(timer);
        reject(new SessionFailed(`connect failed: ${shortError(error)}`));
      });
    });
  }

  send(frame: unknown): number {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    return performance.now();
  }

  /** The next frame whose type is in `types` (others are skipped); `error` frames fail. */
  async next(types: readonly string[] | null, timeoutMs: number, what: string): Promise<{ frame: Frame; at: number }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const item = this.inbox.shift();
      if (item) {
        if (types === null || types.includes(item.frame.type)) return item;
        if (item.frame.type === "error") throw new SessionFailed(`error frame: ${String(item.frame.code)}`);
        continue;
      }
      if (this.closed) throw new SessionFailed(`${this.closed} while waiting for ${what}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new SessionFailed(`no ${what} within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  close(): void {
    try {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "bench done");
      else this.ws.terminate();
    } catch {
      // Already gone.
    }
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}

function shortError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message?.slice(0, 60) ?? String(error);
}

const OPENINGS = [
  "In my last role I owned the checkout service",
  "At my previous company I led a team of 6 engineers",
  "When our largest customer reported timeouts",
  "On a data pipeline that processed 40 million events a day",
  "During a migration from a monolith to services",
];
const MIDDLES = [
  "and I measured where the time went before changing anything, then moved the slow work off the request path",
  "so I wrote a short design doc, agreed the trade-offs with product, and shipped it behind a feature flag",
  "and I paired with the on-call engineer to reproduce it, found a missing index, and added a regression test",
  "so I split the rollout into three stages, watched the error budget, and kept a rollback ready at each step",
];

/** A realistic answer of about 40 words with numbers in it, different per session and turn. */
export function answerText(session: number, turn: number): string {
  const n = session * 31 + turn * 7;
  const percent = 10 + (n % 80);
  const weeks = 2 + (n % 9);
  return (
    `${OPENINGS[n % OPENINGS.length]} ${MIDDLES[(n >> 1) % MIDDLES.length]}. ` +
    `The result was a ${percent}% drop in p99 latency within ${weeks} weeks, and I learned to share numbers early.`
  );
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

type Session = {
  conn: Conn;
  sessionId?: string;
  failed?: string;
  latencies: number[];
  sent: number;
  unexpected: number;
};

function fail(session: Session, error: unknown): void {
  session.failed ??= error instanceof SessionFailed ? error.reason : `client error: ${shortError(error)}`;
  session.conn.close();
}

/**
 * Opens `sessions` sockets at once; once every one is ready (or failed), all answer at the same
 * moment, each waiting for the reply to an answer before sending the next.
 */
export async function runLoad(options: {
  kind: "project" | "echo";
  baseUrl: string;
  sessions: number;
  answers: number;
  /** `false` measures the path without research records (no D1 rows, no journal records). */
  consent?: boolean;
  /** The echo sends a tips and a feedback frame like the project's before each echo. */
  echoFrames?: boolean;
  /** Called between the setup and the answering phase (e.g. to reset server counters). */
  beforeAnswering?: () => Promise<void>;
}): Promise<LoadResult> {
  const { kind, sessions: n, answers } = options;
  const wsBase = options.baseUrl.replace(/^http/, "ws");
  const url = kind === "echo" ? `${wsBase}/ws/echo${options.echoFrames ? "?frames=project" : ""}` : `${wsBase}/ws/interview`;
  const setupStart = performance.now();
  const all: Session[] = Array.from({ length: n }, () => ({ conn: new Conn(url), latencies: [], sent: 0, unexpected: 0 }));

  await Promise.all(
    all.map(async (session) => {
      try {
        const deadline = performance.now() + CONNECT_TIMEOUT_MS;
        await session.conn.opened(CONNECT_TIMEOUT_MS);
        if (kind === "echo") return;
        await session.conn.next(["session_ready"], Math.max(1, deadline - performance.now()), "session_ready");
        session.conn.send({ type: "start_session", maxQuestions: answers, consent: options.consent ?? true });
        const started = await session.conn.next(["session_started"], TURN_TIMEOUT_MS, "session_started");
        session.sessionId = String(started.frame.session_id);
        await session.conn.next(["question"], TURN_TIMEOUT_MS, "first question");
      } catch (error) {
        fail(session, error);
      }
    }),
  );
  const setupWallMs = performance.now() - setupStart;
  const ready = all.filter((s) => !s.failed).length;

  await options.beforeAnswering?.();
  const cpuBefore = process.cpuUsage();
  const answeringStart = performance.now();
  let answeringEnd = answeringStart;
  await Promise.all(
    all.map(async (session, index) => {
      if (session.failed) return;
      try {
        for (let turn = 0; turn < answers; turn++) {
          const text = answerText(index, turn);
          const frame = kind === "echo" ? JSON.stringify({ type: "user_answer", answer: text }) : { type: "user_answer", answer: text };
          const sentAt = session.conn.send(frame);
          session.sent++;
          let reply = await session.conn.next(
            kind === "echo" ? ["user_answer"] : ["question", "session_ended"],
            TURN_TIMEOUT_MS,
            kind === "echo" ? "echo" : "reply to an answer",
          );
          // The reply to answer k is the question of turn k (answers so far) or session_ended.
          while (kind === "project" && reply.frame.type === "question" && reply.frame.turn !== turn + 1) {
            session.unexpected++;
            reply = await session.conn.next(["question", "session_ended"], Math.max(1, TURN_TIMEOUT_MS - (performance.now() - sentAt)), "reply to an answer");
          }
          session.latencies.push(reply.at - sentAt);
          answeringEnd = Math.max(answeringEnd, reply.at);
        }
      } catch (error) {
        answeringEnd = Math.max(answeringEnd, performance.now());
        fail(session, error);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  for (const session of all) session.conn.close();

  const latencies = all.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const failures: Record<string, number> = {};
  for (const s of all) if (s.failed) failures[s.failed] = (failures[s.failed] ?? 0) + 1;
  const answeringWallMs = answeringEnd - answeringStart;
  return {
    kind,
    sessions: n,
    answersPerSession: answers,
    ready,
    failedSessions: all.filter((s) => s.failed).length,
    failures,
    answersSent: all.reduce((sum, s) => sum + s.sent, 0),
    answersAcknowledged: latencies.length,
    answeringWallMs,
    turnsPerSecond: answeringWallMs > 0 ? latencies.length / (answeringWallMs / 1000) : 0,
    latencyMs: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      mean: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : Number.NaN,
    },
    setupWallMs,
    sessionIds: all.flatMap((s) => (s.sessionId ? [s.sessionId] : [])),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    unexpectedQuestions: all.reduce((sum, s) => sum + s.unexpected, 0),
  };
}
