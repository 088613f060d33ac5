/**
 * A hook on one interview object's replication to D1, installed from the test with
 * `runInDurableObject`: every `db.batch` the object's replication sends goes through it, so a
 * test can hold a flush in flight, fail it, or reset the object (`ctx.abort()`) right before
 * or right after D1 commits the batch: the moments an eviction or a deploy can hit.
 *
 * It replaces the D1 factory of the object's `OutboxReplication` (the private field
 * `replication`, whose `db` is `() => drizzle(env.DB)`) in that instance only; a reset object
 * comes back without it. If those names change, installing fails with a message saying so.
 *
 * The hook runs in the object's request context and the test in its own, so the two share
 * only plain data (this object), and a held batch polls it with its own timer.
 */
import { runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/d1";
import type { InterviewStub } from "../../src/durable/interview-stub.ts";

/**
 * What to do with one batch: send it; fail it (D1 unreachable); reset the object before it
 * is sent (D1 never sees it); or after D1 committed it (the object never learns it did).
 */
export type BatchStep = "pass" | "fail" | "abort-before" | "abort-after";

export class ReplicationHook {
  /** Batches the object has tried to send (held ones included). */
  calls = 0;
  /** Batches D1 committed through the hook. */
  committed = 0;
  /** Batches waiting at the gate now. */
  waiting = 0;
  /** While true, batches wait here before their step is taken. */
  hold = false;
  /** Step for batch i (0-based); "pass" beyond the list. */
  steps: BatchStep[] = [];
}

export async function hookReplication(stub: InterviewStub, hook = new ReplicationHook()): Promise<ReplicationHook> {
  await runInDurableObject(stub, (instance, state) => {
    const replication = (instance as unknown as { replication?: { db?: unknown } }).replication;
    const db = (instance as unknown as { env?: { DB?: D1Database } }).env?.DB;
    if (!replication || typeof replication.db !== "function" || !db) {
      throw new Error("InterviewSession no longer has replication.db / env.DB: update test/stress/d1-hooks.ts");
    }
    const batch = async (statements: D1PreparedStatement[]): Promise<D1Result[]> => {
      const index = hook.calls++;
      if (hook.hold) {
        hook.waiting++;
        while (hook.hold) await new Promise((resolve) => setTimeout(resolve, 10));
        hook.waiting--;
      }
      const step = hook.steps[index] ?? "pass";
      if (step === "fail") throw new Error("D1 is unreachable (test hook)");
      if (step === "abort-before") state.abort("reset before D1 got the batch (test hook)");
      const results = await db.batch(statements);
      hook.committed++;
      if (step === "abort-after") state.abort("reset after D1 committed the batch (test hook)");
      return results;
    };
    const hooked = new Proxy(db, {
      get(target, property) {
        if (property === "batch") return batch;
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    replication.db = () => drizzle(hooked);
  });
  return hook;
}
