/**
 * A fake NVIDIA chat-completions server for tests, the benchmark and `npm run dev`. It speaks
 * the real wire format over HTTP on 127.0.0.1: `chat.completion` JSON bodies and, for
 * `stream: true`, server-sent `chat.completion.chunk` events ended by `data: [DONE]`.
 *
 * Scriptable per test, in-process (`fake.script(...)`) or over HTTP for code inside workerd
 * (`POST /__fake/script`, `POST /__fake/reset`, `GET /__fake/log`). A rule matches a call by
 * purpose (told apart by `max_tokens`: 240 coaching, 80 question, 180 clarification, 400 the
 * answer's rubric) and
 * optionally a substring of the request body; its reply may add latency, answer with any
 * status and Retry-After, send a malformed body, empty or fenced content, or cut a stream
 * short. Unmatched calls get a valid default reply (a rubric quoting the answer's first words
 * for every criterion). Two gates order events without clocks: a
 * reply can wait until N calls have arrived (`awaitCalls`), and a stream can pause after N
 * deltas until the test calls `release()` (`holdAfter`).
 *
 * Plain Node (no TypeScript-only syntax beyond types) so `node` can run it directly.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type FakePurpose = "coaching" | "question" | "clarification" | "rubric" | "unknown";

export interface FakeReply {
  /** HTTP status; default 200. */
  status?: number;
  /** Wait before the headers (JSON) or before the first token (stream), in ms. */
  delayMs?: number;
  retryAfter?: string;
  /** The assistant message content. Default: a valid reply for the purpose. */
  content?: string;
  /** Sent verbatim as the body instead of a chat.completion (malformed bodies). */
  rawBody?: string;
  /** Stream: the content deltas; default `content` cut into small pieces. */
  chunks?: string[];
  /** Stream: wait between deltas, in ms. */
  chunkDelayMs?: number;
  /** Stream: drop the connection after this many deltas, without finish or [DONE]. */
  truncateAfter?: number;
  /** Answer a stream request with a plain JSON body, as some proxies do. */
  ignoreStream?: boolean;
  /**
   * Send nothing until the fake has received this many calls since the last reset: calls made
   * one after another never get their reply (the caller's deadline ends them), calls made in
   * parallel all do.
   */
  awaitCalls?: number;
  /** Stream: after this many deltas, wait for `release()` (or `POST /__fake/release`) before the rest. */
  holdAfter?: number;
}

export interface FakeRule {
  purpose?: FakePurpose;
  /** A substring the raw request body must contain. */
  match?: string;
  /** How many calls this rule answers; default unlimited. */
  times?: number;
  reply: FakeReply;
}

export interface FakeCall {
  id: number;
  purpose: FakePurpose;
  stream: boolean;
  authorization: string | null;
  body: Record<string, unknown>;
  /** performance.now() of this process, ms. */
  receivedAt: number;
  firstTokenAt: number | null;
  endedAt: number | null;
  status: number;
}

export interface FakeSettings {
  /** Handle one call at a time, queueing the others: simulates calls made one after another. */
  serial?: boolean;
  /** Latency added to every call without its own `delayMs`. */
  defaultDelayMs?: number;
}

export interface FakeNvidia {
  /** Base URL, e.g. http://127.0.0.1:43210 */
  url: string;
  /** The chat-completions endpoint to put in NVIDIA_LLM_URL. */
  chatUrl: string;
  script(rules: FakeRule[], settings?: FakeSettings): void;
  reset(): void;
  /** Lets streams held by `holdAfter` go on (until the next `script` or `reset`). */
  release(): void;
  calls(): FakeCall[];
  close(): Promise<void>;
}

export const DEFAULT_CONTENT: Readonly<Record<FakePurpose, { json: string; stream: string }>> = {
  coaching: {
    json: JSON.stringify({
      follow_up: "What was the measurable result of that change for your users?",
      tips: [
        { summary: "Lead with the outcome", detail: "Open with the result, then the two actions that got you there." },
        { summary: "Name one number", detail: "Give one concrete figure so the impact is easy to weigh." },
      ],
    }),
    stream: "",
  },
  question: {
    json: JSON.stringify({ question: "Tell me about a time you changed a plan halfway through a project." }),
    stream: "Tell me about a time you changed a plan halfway through a project?",
  },
  clarification: {
    json: JSON.stringify({ message: "Any recent project works; pick one where your own decisions mattered. So: tell me about it." }),
    stream: "",
  },
  // Made per call from the answer in the request (`defaultRubric`).
  rubric: { json: "", stream: "" },
  unknown: { json: JSON.stringify({ message: "ok" }), stream: "ok" },
};

/** Words of the answer the default rubric quotes. */
export const DEFAULT_RUBRIC_QUOTE_WORDS = 6;

/** The answer of a rubric request: the user message's text between the triple quotes. */
export function rubricAnswerOf(body: Record<string, unknown>): string {
  const messages = (body.messages as { content?: string }[] | undefined) ?? [];
  const user = messages.at(-1)?.content ?? "";
  return /"""\n([\s\S]*?)\n"""/.exec(user)?.[1] ?? "";
}

/** A valid rubric for the request: every criterion scored 3, quoting the answer's first words. */
export function defaultRubric(body: Record<string, unknown>): string {
  const quote = rubricAnswerOf(body).split(/\s+/).slice(0, DEFAULT_RUBRIC_QUOTE_WORDS).join(" ");
  const item = { score: 3, quote };
  return JSON.stringify({ situation: item, task: item, action: item, result: item, relevance: item, specificity: item });
}

export function purposeOf(body: Record<string, unknown>): FakePurpose {
  switch (body.max_tokens) {
    case 240:
      return "coaching";
    case 80:
      return "question";
    case 180:
      return "clarification";
    case 400:
      return "rubric";
    default:
      return "unknown";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFakeNvidia(options: { port?: number; host?: string } & FakeSettings = {}): Promise<FakeNvidia> {
  let rules: (FakeRule & { used: number })[] = [];
  let settings: FakeSettings = { serial: options.serial, defaultDelayMs: options.defaultDelayMs };
  let log: FakeCall[] = [];
  let nextId = 1;
  let queue: Promise<void> = Promise.resolve();
  /** Replies waiting at a gate (`awaitCalls`, `holdAfter`); each re-checks its condition when notified. */
  const waiters = new Set<() => void>();
  let released = false;
  /** Bumped by reset: replies still held from an earlier test give up instead of answering a later one. */
  let epoch = 0;
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };

  const script = (next: FakeRule[], nextSettings: FakeSettings = {}) => {
    rules = next.map((rule) => ({ ...rule, used: 0 }));
    settings = nextSettings;
    released = false;
  };
  const reset = () => {
    rules = [];
    settings = {};
    log = [];
    released = false;
    epoch += 1;
    notify();
  };
  const release = () => {
    released = true;
    notify();
  };

  /** Resolves true once `ready()` holds; false if the client went away or the fake was reset first. */
  const until = (ready: () => boolean, res: http.ServerResponse): Promise<boolean> => {
    const started = epoch;
    let closed = false;
    return new Promise<boolean>((resolve) => {
      const check = () => {
        const gone = closed || started !== epoch;
        if (!gone && !ready()) return;
        waiters.delete(check);
        resolve(!gone);
      };
      res.once("close", () => {
        closed = true;
        check();
      });
      waiters.add(check);
      check();
    });
  };

  const pick = (purpose: FakePurpose, raw: string): FakeReply => {
    for (const rule of rules) {
      if (rule.purpose && rule.purpose !== purpose) continue;
      if (rule.match && !raw.includes(rule.match)) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      rule.used += 1;
      return rule.reply;
    }
    return {};
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error) => {
      console.error("fake-nvidia: handler failed", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/__fake/script" && req.method === "POST") {
      const parsed = JSON.parse(raw || "{}") as { rules?: FakeRule[] } & FakeSettings;
      script(parsed.rules ?? [], { serial: parsed.serial, defaultDelayMs: parsed.defaultDelayMs });
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__fake/reset" && req.method === "POST") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__fake/release" && req.method === "POST") {
      release();
      return sendJson(res, 200, { ok: true });
    }
    if (url.pathname === "/__fake/log" && req.method === "GET") return sendJson(res, 200, { calls: log });
    if (!url.pathname.endsWith("/chat/completions") || req.method !== "POST") {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { error: { message: "request body is not JSON" } });
    }
    const purpose = purposeOf(body);
    const call: FakeCall = {
      id: nextId++,
      purpose,
      stream: body.stream === true,
      authorization: req.headers.authorization ?? null,
      body,
      receivedAt: performance.now(),
      firstTokenAt: null,
      endedAt: null,
      status: 200,
    };
    log.push(call);
    notify();
    const reply = pick(purpose, raw);
    const work = () => answer(call, reply, res);
    if (settings.serial) {
      const turn = queue.then(work);
      queue = turn.catch(() => undefined);
      await turn;
    } else {
      await work();
    }
  }

  async function answer(call: FakeCall, reply: FakeReply, res: http.ServerResponse): Promise<void> {
    const status = reply.status ?? 200;
    call.status = status;
    const awaitCalls = reply.awaitCalls;
    if (awaitCalls !== undefined && !(await until(() => log.length >= awaitCalls, res))) return hangUp(call, res);
    await sleep(reply.delayMs ?? settings.defaultDelayMs ?? 0);
    const headers: Record<string, string> = {};
    if (reply.retryAfter !== undefined) headers["Retry-After"] = reply.retryAfter;
    if (status !== 200) {
      sendJson(res, status, { error: { message: `scripted status ${status}` } }, headers);
      call.endedAt = performance.now();
      return;
    }
    if (reply.rawBody !== undefined) {
      res.writeHead(200, { "Content-Type": "application/json", ...headers });
      res.end(reply.rawBody);
      call.firstTokenAt = call.endedAt = performance.now();
      return;
    }
    const defaults = call.purpose === "rubric" ? { json: defaultRubric(call.body), stream: "" } : DEFAULT_CONTENT[call.purpose];
    if (!call.stream || reply.ignoreStream) {
      call.firstTokenAt = performance.now();
      sendJson(res, 200, completion(call, reply.content ?? defaults.json), headers);
      call.endedAt = performance.now();
      return;
    }
    const content = reply.content ?? (defaults.stream || defaults.json);
    const chunks = reply.chunks ?? splitIntoDeltas(content);
    res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache", Connection: "keep-alive", ...headers });
    res.flushHeaders();
    const id = `chatcmpl-fake-${call.id}`;
    const event = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created: Math.floor(Date.now() / 1000),
        model: call.body.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      })}\n\n`;
    res.write(event({ role: "assistant", content: "" }, null));
    for (const [i, chunk] of chunks.entries()) {
      if (reply.truncateAfter !== undefined && i >= reply.truncateAfter) {
        // Let what was written reach the client, then break the connection mid-stream.
        await new Promise<void>((resolve) => res.write("", () => resolve()));
        await sleep(20);
        call.endedAt = performance.now();
        res.destroy();
        return;
      }
      if (i > 0 && i === reply.holdAfter && !(await until(() => released, res))) return hangUp(call, res);
      if (i > 0 && reply.chunkDelayMs) await sleep(reply.chunkDelayMs);
      res.write(event({ content: chunk }, null));
      call.firstTokenAt ??= performance.now();
    }
    res.write(event({}, "stop"));
    res.end("data: [DONE]\n\n");
    call.endedAt = performance.now();
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    chatUrl: `${url}/v1/chat/completions`,
    script,
    reset,
    release,
    calls: () => log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A held reply whose client left (or whose test ended): end the call without answering. */
function hangUp(call: FakeCall, res: http.ServerResponse): void {
  call.endedAt = performance.now();
  res.destroy();
}

function completion(call: FakeCall, content: string): Record<string, unknown> {
  return {
    id: `chatcmpl-fake-${call.id}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: call.body.model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: Math.ceil(content.length / 4), total_tokens: 100 + Math.ceil(content.length / 4) },
  };
}

/** Roughly token-sized pieces: a word and its following space. */
export function splitIntoDeltas(content: string): string[] {
  return content.match(/\S+\s*|\s+/g) ?? [];
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
