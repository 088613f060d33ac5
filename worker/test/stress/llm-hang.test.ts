/**
 * Scenario 3, the NVIDIA model hanging for every interview at once: the fake NVIDIA server
 * takes every call and never answers (NVIDIA_LLM_TIMEOUT is 1 s in this project). Six
 * interviews start together, so six calls hang at once; each turn still completes, on time
 * by its own deadline, with heuristic content. After those first failures the circuit breaker
 * is open for every interview (fleet-wide, `src/health/`): the turns that follow, and every
 * turn of interviews started afterwards, skip the model. That is read from the `llm_call`
 * telemetry each turn stores (outcome `circuit_open`, no attempt) and from the fake's own
 * call log, never from elapsed time.
 */
import { DEFAULT_CONTENT } from "../fakes/fake-nvidia.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeCalls, resetFake, scriptFake } from "../workerd/llm-fake-control.ts";
import { recordedBy } from "../workerd/recorded.ts";
import { Candidate, ledgerMismatches, type Frame } from "./stress-client.ts";

/** The breaker's first open period (health/circuit-breaker.ts DEFAULT_BREAKER): one probe may go out per period. */
const COOLDOWN_MS = 30_000;
const FAKE_TIPS = JSON.stringify((JSON.parse(DEFAULT_CONTENT.coaching.json) as { tips: unknown }).tips);

type LlmCall = { purpose: string; outcome: string; attempts: number; detail?: string };

async function llmCalls(c: Candidate): Promise<LlmCall[]> {
  const rows = await recordedBy(c.stub, c.sessionId);
  return rows.flatMap((r) => (r.kind === "telemetry" && r.eventType === "llm_call" ? [r.payload as LlmCall] : []));
}

/** A turn answered by the heuristics: tips of their own and a question that is not the model's. */
function expectHeuristic(frames: Frame[]): void {
  const tips = frames.find((f) => f.type === "tips")!;
  expect((tips.items as unknown[]).length).toBeGreaterThanOrEqual(1);
  expect(JSON.stringify(tips.items)).not.toBe(FAKE_TIPS);
  const question = frames.find((f) => f.type === "question");
  if (question) expect(["fallback", "follow_up", "custom"]).toContain(question.source);
}

beforeAll(async () => {
  await resetFake();
  // Every call is taken and never answered (it waits for a millionth call): the caller gives up at its deadline.
  await scriptFake([{ reply: { awaitCalls: 1_000_000 } }]);
});
afterAll(() => resetFake());

describe("the model hanging for every interview at once", () => {
  it("completes every turn with heuristic content, and after the first failures the other interviews skip the model", async () => {
    // Six interviews at once: six first-question calls hang together and end at their deadline.
    const first = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => Candidate.start(`first-${i}`)));
    const opened = Date.now();
    const callsAfterFirst = (await fakeCalls()).length;
    expect(callsAfterFirst).toBeGreaterThanOrEqual(3);
    expect(callsAfterFirst).toBeLessThanOrEqual(6);

    // Their next turns, and every turn of interviews started now, go on without the model.
    for (let round = 0; round < 2; round++) {
      for (const frames of await Promise.all(first.map((c) => c.answer()))) expectHeuristic(frames);
    }
    const later = await Promise.all([0, 1, 2, 3].map((i) => Candidate.start(`later-${i}`)));
    for (let round = 0; round < 2; round++) {
      for (const frames of await Promise.all(later.map((c) => c.answer()))) expectHeuristic(frames);
    }
    // One half-open probe per cooldown may reach the (still hanging) model; on a slow machine
    // the test may outlast a cooldown, so that is allowed for, never required.
    const probesAllowed = Math.floor((Date.now() - opened) / COOLDOWN_MS);

    const firstCalls = await Promise.all(first.map(llmCalls));
    const laterCalls = await Promise.all(later.map(llmCalls));
    // The first question of each first interview hung: it ended at the deadline or was cut short when the circuit opened.
    for (const calls of firstCalls) {
      expect(calls[0]).toMatchObject({ purpose: "question" });
      expect(["timeout", "circuit_open"]).toContain(calls[0]!.outcome);
    }
    expect(firstCalls.filter((calls) => calls[0]!.outcome === "timeout").length).toBeGreaterThanOrEqual(3);
    // Everything after: refused by the open circuit without an attempt, but for allowed probes.
    const afterwards = [...firstCalls.flatMap((calls) => calls.slice(1)), ...laterCalls.flat()];
    expect(afterwards.length).toBeGreaterThanOrEqual(first.length * 3 + later.length * 4);
    const reachedModel = afterwards.filter((call) => !(call.outcome === "circuit_open" && call.attempts === 0));
    expect(reachedModel.length).toBeLessThanOrEqual(probesAllowed);
    expect((await fakeCalls()).length).toBeLessThanOrEqual(callsAfterFirst + probesAllowed);
    for (const calls of laterCalls) expect(calls[0]).toMatchObject({ purpose: "question", outcome: "circuit_open", attempts: 0 });

    // Nothing acknowledged was lost, and every interview is still served.
    const all = [...first, ...later];
    expect(await ledgerMismatches(all)).toEqual([]);
    await Promise.all(all.map((c) => c.alive()));
    for (const c of all) c.socket.close();
  });
});
