/**
 * The state in the interview object's storage (durable/state-store.ts): the answers' scores
 * each under its own key, written once per answer, the rest under `state`. A turn writes what
 * it changed, not the whole session; a reload (eviction) gives back the same state; an object
 * stored with the scores inside `state` (the layout before) loads and moves over at its next
 * write; a rolled-back write is not believed stored.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AnswerScore, InterviewState } from "../../src/engine/types.ts";
import { StateStore } from "../../src/durable/state-store.ts";
import { interviewOf, startInterview } from "./socket-client.ts";

const ANSWER = "At my last company checkout timed out every evening. I profiled it, found an N+1 query, and p99 dropped from 900 ms to 120 ms.";

const kvOf = (storage: DurableObjectStorage) => Object.fromEntries(storage.kv.list<unknown>());

function score(turn: number, words = 20): AnswerScore {
  return {
    turn, question: `Question ${turn}?`, words, starScore: 2, numbers: [], names: 0, singular: 1, plural: 0, hedges: [], relevance: 0.5,
    wpm: null, fillersPer100Words: null,
    star: { situation: { present: true, quotes: ["“at my last company”"] }, task: { present: false, quotes: [] }, action: { present: true, quotes: [] }, result: { present: false, quotes: [] } },
  } as AnswerScore;
}

function stateWith(scores: AnswerScore[] | undefined, extra: Record<string, unknown> = {}): InterviewState {
  return { readyId: "r", session: { id: "s-1", ended: false, ...extra, ...(scores ? { scores } : {}) } } as unknown as InterviewState;
}

/** A scratch object's storage: an interview with no session, so nothing of its own is stored. */
async function inScratch<T>(work: (storage: DurableObjectStorage) => T): Promise<T> {
  const { started, socket } = await startInterview({ maxQuestions: 1 });
  socket.close();
  return runInDurableObject(interviewOf(started.resumeToken as string), (_instance, state) => {
    for (const [key] of state.storage.kv.list()) state.storage.kv.delete(key);
    return work(state.storage);
  });
}

describe("state store", () => {
  it("keeps each answer's score under its own key and writes only the new one on the next turn", async () => {
    await inScratch((storage) => {
      const store = new StateStore(storage);
      const two = stateWith([score(1), score(2)]);
      store.write(store.plan(two)!);
      const kv = kvOf(storage);
      expect(Object.keys(kv).sort()).toEqual(["score:000001", "score:000002", "state"]);
      expect(String(kv.state)).not.toContain('"scores"');

      // The engine keeps unchanged scores as the same objects: the next turn adds one key, and the core.
      const three = stateWith([...two.session!.scores!, score(3)], { turn: 3 });
      const plan = store.plan(three)!;
      expect(plan.put.map((p) => p.turn)).toEqual([3]);
      expect(plan.delete).toEqual([]);
      expect(plan.core).not.toBeNull();
      store.write(plan);
      expect(store.plan(three)).toBeNull();

      // A score read back from storage (an evicted object) is as good as the object written.
      const reloaded = new StateStore(storage);
      expect(reloaded.load()).toEqual(three);
      expect(reloaded.plan(reloaded.load()!)).toBeNull();
    });
  });

  it("rewrites a score a rubric changed, and deletes the scores a state no longer holds", async () => {
    await inScratch((storage) => {
      const store = new StateStore(storage);
      const scores = [score(1), score(2), score(3)];
      store.write(store.plan(stateWith(scores))!);
      const rubric = { ...scores[1]!, words: 99 };
      const changed = store.plan(stateWith([scores[0]!, rubric, scores[2]!]))!;
      expect(changed).toMatchObject({ core: null, delete: [] });
      expect(changed.put.map((p) => p.turn)).toEqual([2]);
      store.write(changed);
      // The oldest scores slide out (the engine keeps the last 50), or all go (an unconsented end).
      const dropped = store.plan(stateWith([rubric, scores[2]!]))!;
      expect(dropped.delete).toEqual([1]);
      store.write(dropped);
      store.write(store.plan(stateWith(undefined, { ended: true }))!);
      expect(Object.keys(kvOf(storage))).toEqual(["state"]);
      expect(new StateStore(storage).load()!.session!.scores).toBeUndefined();
    });
  });

  it("loads the layout before (scores inside `state`, as text or as the object) and moves the scores out at the next write", async () => {
    await inScratch((storage) => {
      for (const before of [JSON.stringify(stateWith([score(1), score(2)])), stateWith([score(1), score(2)])]) {
        storage.kv.put("state", before);
        const store = new StateStore(storage);
        const state = store.load()!;
        expect(state.session!.scores!.map((s) => s.turn)).toEqual([1, 2]);
        store.write(store.plan(state)!);
        expect(Object.keys(kvOf(storage)).sort()).toEqual(["score:000001", "score:000002", "state"]);
        expect(new StateStore(storage).load()).toEqual(state);
        store.clear();
        expect(Object.keys(kvOf(storage))).toEqual([]);
      }
    });
  });

  it("stores a state whose turns repeat whole (the engine makes none), and loses nothing", async () => {
    await inScratch((storage) => {
      const store = new StateStore(storage);
      const state = stateWith([score(1), score(1, 30)]);
      store.write(store.plan(state)!);
      expect(Object.keys(kvOf(storage))).toEqual(["state"]);
      expect(new StateStore(storage).load()).toEqual(state);
    });
  });

  it("after a rolled-back transaction believes storage, not its own write", async () => {
    await inScratch((storage) => {
      const store = new StateStore(storage);
      const one = stateWith([score(1)]);
      store.write(store.plan(one)!);
      const two = stateWith([score(1), score(2)]);
      expect(() =>
        storage.transactionSync(() => {
          store.write(store.plan(two)!);
          throw new Error("storage failed mid-commit");
        }),
      ).toThrow("storage failed");
      store.reload();
      expect(store.plan(two)!.put.map((p) => p.turn)).toEqual([2]);
      expect(new StateStore(storage).load()).toEqual(one);
    });
  });

  it("an interview's answers survive eviction: the report after it covers every answer", async () => {
    const { socket, started } = await startInterview({ consent: true, maxQuestions: 3 });
    const token = started.resumeToken as string;
    socket.ignoresCoaching = false;
    for (let turn = 1; turn <= 2; turn++) {
      socket.send({ type: "user_answer", answer: ANSWER, metrics: {} });
      await socket.collectUntil("question");
      await evictDurableObject(interviewOf(token));
    }
    const keys = await runInDurableObject(interviewOf(token), (_instance, state) => [...state.storage.kv.list({ prefix: "score:" })].map(([key]) => key));
    expect(keys).toHaveLength(2);
    socket.send({ type: "user_answer", answer: ANSWER, metrics: {} });
    const frames = await socket.collectUntil("session_ended");
    const report = frames.find((f) => f.type === "report") as { answers: { turn: number }[] } | undefined;
    expect(report?.answers).toHaveLength(3);
  });
});
