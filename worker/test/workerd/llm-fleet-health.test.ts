/**
 * The model's health as a fleet fact, inside workerd with the fake NVIDIA server
 * (NVIDIA_LLM_TIMEOUT = 1 s): after a few failing turns of one interview, a NEW interview
 * (another Durable Object) skips the model at once, its `llm_call` telemetry saying
 * `circuit_open`; an isolate that never saw a failure learns it from the ServiceHealth
 * object; after the fake recovers, one probe closes the circuit for everyone.
 *
 * Outcomes and attempts are asserted, never elapsed time. The Worker's objects run in this
 * test's isolate, so a "fresh isolate" is simulated by making this isolate forget its
 * breakers while the ServiceHealth object keeps the fleet's state, and the cooldown is
 * passed by shifting the health clock both share.
 */
import { env } from "cloudflare:workers";
import { and, asc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { beforeEach, describe, expect, it } from "vitest";
import { telemetryRecord } from "@interview/shared/db/schema";
import { shiftHealthClockForTests } from "../../src/health/clock.ts";
import { forgetDependencyBreakersForTests } from "../../src/health/dependencies.ts";
import { fakeCalls, modelHealth, resetFake, scriptFake } from "./llm-fake-control.ts";
import { interviewOf, startInterview } from "./socket-client.ts";

const ANSWER = "I moved our billing jobs to a queue; p99 dropped from 9 s to 400 ms for 30k users.";

interface LlmCall {
  purpose: string;
  outcome: string;
  attempts: number;
  detail?: string;
}

beforeEach(() => resetFake());

/** Polls until `check` holds (background work: fire-and-forget reports, replication), or fails. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`never happened: ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The session's `llm_call` telemetry, in order, once D1 holds at least `count` of them. */
async function llmCalls(started: Record<string, unknown>, count: number): Promise<LlmCall[]> {
  const sessionId = started.session_id as string;
  const stub = interviewOf(started.resumeToken as string) as unknown as { flush?: () => Promise<unknown> };
  // Records reach D1 by replication; an object that can flush on demand is asked to.
  await Promise.resolve(stub.flush?.()).catch(() => undefined);
  const rows = await eventually(
    () =>
      drizzle(env.DB)
        .select()
        .from(telemetryRecord)
        .where(and(eq(telemetryRecord.sessionId, sessionId), eq(telemetryRecord.eventType, "llm_call")))
        .orderBy(asc(telemetryRecord.id)),
    (r) => r.length >= count,
    `${count} llm_call rows`,
  );
  return rows.map((r) => JSON.parse(r.payload ?? "null") as LlmCall);
}

/** One interview's turns against a hung API: 1 + 1 + 2 failed calls, enough to open the circuit. */
async function failingInterview(): Promise<void> {
  const { socket } = await startInterview({ group: "control", consent: true });
  socket.send({ type: "user_answer", answer: ANSWER });
  await socket.collectUntil("interviewer_message");
  socket.send({ type: "user_answer", answer: "Second." });
  await socket.collectUntil("question");
  socket.close();
}

describe("model health shared by every interview", () => {
  it("after a few failing turns, a new interview skips the model without calling it; a fresh isolate learns it from the fleet; a probe closes it", async () => {
    await scriptFake([{ reply: { delayMs: 5_000 } }]);
    await failingInterview();
    await eventually(() => modelHealth().view(), (v) => v.opened, "the fleet's circuit opens");
    const before = (await fakeCalls()).length;

    // A new interview, in this isolate: nothing reaches the API, nothing waits for it.
    const second = await startInterview({ group: "control", consent: true });
    expect(second.question.source).toBe("fallback");
    second.socket.send({ type: "user_answer", answer: ANSWER });
    await second.socket.collectUntil("interviewer_message");
    second.socket.close();
    expect((await fakeCalls()).length).toBe(before);
    const skipped = await llmCalls(second.started, 2);
    expect(skipped).toEqual([
      expect.objectContaining({ purpose: "question", outcome: "circuit_open", attempts: 0 }),
      expect.objectContaining({ purpose: "coaching", outcome: "circuit_open", attempts: 0 }),
    ]);

    // An isolate that saw none of it: its first call goes out while it asks the fleet, and is
    // cut short when the answer says open (circuit_open, not a timeout); then it skips.
    forgetDependencyBreakersForTests();
    const third = await startInterview({ group: "control", consent: true });
    expect(third.question.source).toBe("fallback");
    third.socket.send({ type: "user_answer", answer: ANSWER });
    await third.socket.collectUntil("interviewer_message");
    third.socket.close();
    const learned = await llmCalls(third.started, 2);
    expect(learned[0]).toMatchObject({ purpose: "question", outcome: "circuit_open" });
    expect(learned[0]!.attempts).toBeLessThanOrEqual(1);
    expect(learned[1]).toMatchObject({ purpose: "coaching", outcome: "circuit_open", attempts: 0 });

    // The API recovers; after the cooldown one probe closes the circuit for everyone.
    await scriptFake([]);
    shiftHealthClockForTests(31_000);
    const fourth = await startInterview({ group: "control", consent: true });
    expect(fourth.question.source).toBe("llm");
    await eventually(() => modelHealth().view(), (v) => !v.opened, "the fleet's circuit closes");
    fourth.socket.send({ type: "user_answer", answer: ANSWER });
    const [tips] = (await fourth.socket.collectUntil("interviewer_message")) as [{ type: string; items: unknown[] }];
    expect(tips.type).toBe("tips");
    fourth.socket.close();
    const recovered = await llmCalls(fourth.started, 2);
    expect(recovered).toEqual([
      expect.objectContaining({ purpose: "question", outcome: "ok", attempts: 1 }),
      expect.objectContaining({ purpose: "coaching", outcome: "ok", attempts: 1 }),
    ]);
  });

  it("a failed probe re-opens the circuit fleet-wide for twice as long", async () => {
    await scriptFake([{ reply: { status: 500 } }]);
    await failingInterview();
    const opened = await eventually(() => modelHealth().view(), (v) => v.opened, "the fleet's circuit opens");
    shiftHealthClockForTests(31_000);
    const probe = await startInterview({ group: "control", consent: true });
    expect(probe.question.source).toBe("fallback");
    probe.socket.close();
    const reopened = await eventually(() => modelHealth().view(), (v) => v.version > opened.version && v.opened && v.probeUntil === 0, "the probe's failure");
    expect(reopened.cooldownMs).toBe(2 * opened.cooldownMs);
    expect((await llmCalls(probe.started, 1))[0]).toMatchObject({ purpose: "question", outcome: "http_error" });
  });
});
