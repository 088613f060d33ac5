/**
 * Helpers for the fault suite, inside workerd: the workerd tests' WebSocket client with waits
 * bounded by generous timeouts (a busy 2-core CI machine must not fail a wait by chance; a missing reply
 * still fails instead of hanging), an interview driver that counts what the client was
 * acknowledged (`tips`), and the D1 side of the ledger: every acknowledged answer in
 * `answerrecord` exactly once.
 */
import { env } from "cloudflare:workers";
import { connect as connectSocket, type Frame, type TestSocket } from "../workerd/socket-client.ts";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";
import { objectIdOf } from "../../src/durable/resume-token.ts";

/** How long any single wait may take before the test fails (no elapsed-time assertion). */
export const WAIT_MS = 120_000;

export type { Frame };

/** The workerd tests' socket (sequence numbers checked), with the fault suite's long waits. */
export type StressSocket = TestSocket;

export function connect(query = ""): Promise<StressSocket> {
  return connectSocket(query, {}, undefined, WAIT_MS);
}

export const resumeQuery = (sessionId: string, token: string) =>
  `?session=${encodeURIComponent(sessionId)}&token=${encodeURIComponent(token)}`;

/**
 * One candidate: the session's id and token, and the ledger of answers the server
 * acknowledged (sent `tips` for), by turn, as the client saw them.
 */
export class Candidate {
  /** Acknowledged answers: turn -> answer text. */
  readonly acknowledged = new Map<number, string>();
  /** The `turn` of the question being answered now. */
  turn = 0;
  ended = false;

  private constructor(
    public socket: StressSocket,
    readonly sessionId: string,
    readonly token: string,
    readonly label: string,
  ) {}

  /** Connects and starts a consented session (the answers must be stored to be counted). */
  static async start(label: string, fields: Record<string, unknown> = {}): Promise<Candidate> {
    const socket = await connect();
    await socket.next("session_ready");
    socket.send({ type: "start_session", consent: true, group: "control", ...fields });
    const started = await socket.next("session_started");
    const frames = await socket.collectUntil("question");
    const question = frames.at(-1)!;
    const candidate = new Candidate(socket, started.session_id as string, started.resumeToken as string, label);
    candidate.turn = question.turn as number;
    return candidate;
  }

  /**
   * Starts another session on `previous`'s socket, so in the same interview object (and its
   * outbox): a second start_session on a socket starts a new session.
   */
  static async restartOn(previous: Candidate, label: string, fields: Record<string, unknown> = {}): Promise<Candidate> {
    const socket = previous.socket;
    socket.send({ type: "start_session", consent: true, group: "control", ...fields });
    const started = (await socket.collectUntil("session_started")).at(-1)!;
    const question = (await socket.collectUntil("question")).at(-1)!;
    const candidate = new Candidate(socket, started.session_id as string, started.resumeToken as string, label);
    candidate.turn = question.turn as number;
    return candidate;
  }

  /** The interview object holding this session. */
  get stub(): InterviewStub {
    return env.INTERVIEW.get(env.INTERVIEW.idFromString(objectIdOf(this.token)!));
  }

  /**
   * Answers by typing; resolves once the server acknowledged it (tips) and sent what comes
   * next (the question, or session_ended). Returns the frames of the turn.
   */
  async answer(text = `Answer ${this.turn + 1} of ${this.label}: I cut p99 latency from 900 ms to 120 ms for 40k users.`): Promise<Frame[]> {
    this.socket.send({ type: "user_answer", answer: text, metrics: { speakingRate: 130, fillers: 1 } });
    return this.acknowledge(text);
  }

  /**
   * Reads the replies to an answer submitted by any route (socket, or audio over HTTP):
   * tips (the acknowledgement), then the question or session_ended.
   */
  async acknowledge(text: string): Promise<Frame[]> {
    const frames = await this.socket.collectUntil("question", "session_ended", "error");
    const last = frames.at(-1)!;
    if (last.type === "error") throw new Error(`${this.label}: answer refused: ${JSON.stringify(last)}`);
    const tips = frames.find((f) => f.type === "tips");
    if (!tips) throw new Error(`${this.label}: no tips before ${last.type}: ${JSON.stringify(frames)}`);
    const turn = tips.turn as number;
    if (this.acknowledged.has(turn)) throw new Error(`${this.label}: turn ${turn} acknowledged twice`);
    this.acknowledged.set(turn, text);
    if (last.type === "session_ended") this.ended = true;
    else this.turn = last.turn as number;
    return frames;
  }

  /** Reconnects with the resume token after the socket was lost; returns session_resumed. */
  async resume(): Promise<Frame> {
    this.socket.close();
    this.socket = await connect(resumeQuery(this.sessionId, this.token));
    const resumed = await this.socket.next("session_resumed");
    this.turn = resumed.turn as number;
    return resumed;
  }

  /** Still served: a ping gets its pong. */
  async alive(): Promise<void> {
    this.socket.send({ type: "ping" });
    const frames = await this.socket.collectUntil("pong");
    const stray = frames.filter((f) => f.type !== "pong" && f.type !== "interviewer_message");
    if (stray.length > 0) throw new Error(`${this.label}: unexpected frames before pong: ${JSON.stringify(stray)}`);
  }
}

/** Answer rows in D1 per session: `[turn, answer]` in turn order (duplicates kept, so they show). */
export async function answersInD1(sessionIds: readonly string[]): Promise<Map<string, [number, string][]>> {
  const bySession = new Map<string, [number, string][]>(sessionIds.map((id) => [id, []]));
  // D1 caps bound parameters per statement (100).
  for (let i = 0; i < sessionIds.length; i += 90) {
    const ids = sessionIds.slice(i, i + 90);
    const { results } = await env.DB.prepare(
      `SELECT session_id, turn, answer FROM answerrecord WHERE session_id IN (${ids.map(() => "?").join(",")}) ORDER BY session_id, turn, id`,
    )
      .bind(...ids)
      .all<{ session_id: string; turn: number; answer: string }>();
    for (const row of results) bySession.get(row.session_id)!.push([row.turn, row.answer]);
  }
  return bySession;
}

/**
 * The ledger check: for every candidate, D1's answer rows are exactly the acknowledged
 * answers, each once (same turns, same texts, no duplicates, nothing unacknowledged).
 * Returns the mismatches, empty when all is well (so one assertion shows every problem).
 */
export async function ledgerMismatches(candidates: readonly Candidate[]): Promise<string[]> {
  const inD1 = await answersInD1(candidates.map((c) => c.sessionId));
  const problems: string[] = [];
  for (const c of candidates) {
    const expected = [...c.acknowledged.entries()].sort((a, b) => a[0] - b[0]);
    const actual = inD1.get(c.sessionId)!;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`${c.label} (${c.sessionId}): acknowledged ${JSON.stringify(expected.map((e) => e[0]))}, D1 has ${JSON.stringify(actual.map((a) => a[0]))}`);
    }
  }
  return problems;
}

/** Rows the interview object still holds for D1, for each candidate (0 once drained). */
export async function backlogSizes(candidates: readonly Candidate[]): Promise<number[]> {
  // RPC types cannot express PersistRecord's `payload: unknown`, hence the cast.
  return Promise.all(candidates.map(async (c) => ((await c.stub.backlog(c.sessionId)) as unknown as unknown[]).length));
}

/** Polls `probe` until it returns a truthy value; fails after `ms` (a bound on waiting, not an assertion on time). */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = WAIT_MS, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `limit` in flight; collects every outcome. */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = { status: "fulfilled", value: await work(items[index]!, index) };
      } catch (reason) {
        results[index] = { status: "rejected", reason };
      }
    }
  });
  await Promise.all(runners);
  return results;
}
