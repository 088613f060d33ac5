/**
 * Worker entry of the fleet benchmark (worker/bench/fleet/README.md). Serves the real app and
 * every class the real entry exports, plus:
 *   - `GET /ws/echo`: a new EchoSession per connection (the platform's floor);
 *   - `GET /__bench/counters` / `POST /__bench/counters/reset`: what interviews cost, counted
 *     by an InterviewSession subclass that wraps `env.DB` and `ctx.storage` (production code
 *     untouched).
 * Counters live in module scope: in `wrangler dev` the entry and its Durable Objects share
 * one isolate. They would not in production; this entry is for the bench only.
 */
import { app } from "../../src/app.ts";
import type { Env } from "../../src/env.ts";
import { InterviewSession as RealInterviewSession } from "../../src/durable/interview-session.ts";
import { EchoSession } from "./echo-session.ts";

// Every export of the real entry (Durable Object classes, today and later) except the ones
// declared below: a local export shadows the same name from `export *`, and `default` is
// never re-exported.
export * from "../../src/index.ts";
export { EchoSession };

type BenchEnv = Env & { ECHO: DurableObjectNamespace<EchoSession> };

function freshCounters() {
  return {
    /** InterviewSession objects constructed (new, or back from hibernation/eviction). */
    objects: 0,
    d1: {
      /** Round trips: each statement run/all/first/raw, each batch, each exec. */
      calls: 0,
      /** Statements sent, batches counted per statement. */
      statements: 0,
      batches: 0,
      execs: 0,
    },
    storage: {
      transactionSync: 0,
      transaction: 0,
      setAlarm: 0,
      deleteAlarm: 0,
      kvPut: 0,
      kvDelete: 0,
      /** sql.exec of INSERT/UPDATE/DELETE/REPLACE/CREATE. */
      sqlWrites: 0,
      sqlReads: 0,
      /** Characters of the values kv.put wrote (strings; other values as JSON). */
      kvPutChars: 0,
      /** Characters of the string bindings of SQL writes. */
      sqlWriteChars: 0,
    },
  };
}

let counters = freshCounters();

const WRITE_SQL = /^\s*(insert|update|delete|replace|create)\b/i;

/** A Proxy whose functions run on the real object (native methods check `this`). */
function proxyOf<T extends object>(target: T, overrides: Partial<Record<string | symbol, unknown>>): T {
  const bound = new Map<string | symbol, unknown>();
  return new Proxy(target, {
    get(real, prop) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop];
      const value: unknown = Reflect.get(real, prop, real);
      if (typeof value !== "function") return value;
      let fn = bound.get(prop);
      if (!fn) {
        fn = (value as (...args: unknown[]) => unknown).bind(real);
        bound.set(prop, fn);
      }
      return fn;
    },
  });
}

const realStatements = new WeakMap<object, D1PreparedStatement>();

function countedStatement(statement: D1PreparedStatement): D1PreparedStatement {
  const once = <K extends "run" | "all" | "first" | "raw">(method: K) =>
    (...args: unknown[]) => {
      counters.d1.calls++;
      counters.d1.statements++;
      return (statement[method] as (...a: unknown[]) => unknown)(...args);
    };
  const proxy = proxyOf(statement, {
    bind: (...values: unknown[]) => countedStatement(statement.bind(...values)),
    run: once("run"),
    all: once("all"),
    first: once("first"),
    raw: once("raw"),
  });
  realStatements.set(proxy, statement);
  return proxy;
}

/** The database, or a session of it: both have prepare and batch. */
function countedDatabase<T extends D1Database | D1DatabaseSession>(db: T): T {
  const overrides: Record<string, unknown> = {
    prepare: (query: string) => countedStatement(db.prepare(query)),
    batch: (statements: D1PreparedStatement[]) => {
      counters.d1.calls++;
      counters.d1.batches++;
      counters.d1.statements += statements.length;
      return db.batch(statements.map((s) => realStatements.get(s) ?? s));
    },
  };
  if ("exec" in db) {
    const real = db as D1Database;
    overrides.exec = (query: string) => {
      counters.d1.calls++;
      counters.d1.execs++;
      counters.d1.statements += query.split(";").filter((s) => s.trim()).length;
      return real.exec(query);
    };
    overrides.withSession = (...args: Parameters<D1Database["withSession"]>) => countedDatabase(real.withSession(...args));
  }
  return proxyOf(db, overrides);
}

function countedStorage(storage: DurableObjectStorage): DurableObjectStorage {
  const kv = proxyOf(storage.kv, {
    put: (...args: Parameters<SyncKvStorage["put"]>) => {
      counters.storage.kvPut++;
      const value = args[1];
      counters.storage.kvPutChars += typeof value === "string" ? value.length : (JSON.stringify(value)?.length ?? 0);
      return storage.kv.put(...args);
    },
    delete: (...args: Parameters<SyncKvStorage["delete"]>) => {
      counters.storage.kvDelete++;
      return storage.kv.delete(...args);
    },
  });
  const sql = proxyOf(storage.sql, {
    exec: (query: string, ...bindings: unknown[]) => {
      if (WRITE_SQL.test(query)) {
        counters.storage.sqlWrites++;
        for (const b of bindings) if (typeof b === "string") counters.storage.sqlWriteChars += b.length;
      } else counters.storage.sqlReads++;
      return storage.sql.exec(query, ...bindings);
    },
  });
  return proxyOf(storage, {
    kv,
    sql,
    transactionSync: <T>(closure: () => T): T => {
      counters.storage.transactionSync++;
      return storage.transactionSync(closure);
    },
    transaction: (...args: Parameters<DurableObjectStorage["transaction"]>) => {
      counters.storage.transaction++;
      return storage.transaction(...args);
    },
    setAlarm: (...args: Parameters<DurableObjectStorage["setAlarm"]>) => {
      counters.storage.setAlarm++;
      return storage.setAlarm(...args);
    },
    deleteAlarm: (...args: Parameters<DurableObjectStorage["deleteAlarm"]>) => {
      counters.storage.deleteAlarm++;
      return storage.deleteAlarm(...args);
    },
  });
}

/** The real InterviewSession, seeing counted storage and a counted D1 binding. */
export class InterviewSession extends RealInterviewSession {
  constructor(ctx: DurableObjectState, env: Env) {
    counters.objects++;
    // The base class accepts only the real DurableObjectState (a Proxy fails its type check),
    // so the counted storage shadows `storage` on this object's own state instead. The state
    // belongs to this one object; env is shared, so it is wrapped, never changed.
    Object.defineProperty(ctx, "storage", { value: countedStorage(ctx.storage), configurable: true });
    super(ctx, proxyOf(env, { DB: countedDatabase(env.DB) }));
    ablate(this, (env as Env & { BENCH_ABLATE?: string }).BENCH_ABLATE);
  }
}

/**
 * `--ablate state,journal`: the object stops writing its state or its journal rows once its
 * session has started, so a run shows what those writes cost by their absence. The fields are
 * the base class's private ones: this reaches into them on purpose, for the bench only.
 */
function ablate(session: RealInterviewSession, parts: string | undefined): void {
  if (!parts) return;
  const inner = session as unknown as {
    state: { session?: unknown } | null;
    stored: { write: (...args: unknown[]) => void };
    journal: { append: (...args: unknown[]) => void };
  };
  const skipOnceStarted = (target: { [k: string]: unknown }, method: string) => {
    const real = (target[method] as (...args: unknown[]) => void).bind(target);
    target[method] = (...args: unknown[]) => {
      if (!inner.state?.session) real(...args);
    };
  };
  if (parts.includes("state")) skipOnceStarted(inner.stored as never, "write");
  if (parts.includes("journal")) skipOnceStarted(inner.journal as never, "append");
}

export default {
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === "/ws/echo") {
      if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
        return new Response("upgrade required", { status: 426 });
      }
      return env.ECHO.get(env.ECHO.newUniqueId()).fetch(request);
    }
    if (pathname === "/__bench/counters" && request.method === "GET") return Response.json(counters);
    if (pathname === "/__bench/counters/reset" && request.method === "POST") {
      counters = freshCounters();
      return Response.json(counters);
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<BenchEnv>;
