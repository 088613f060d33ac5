/**
 * The console's late rubrics (src/console/late-rubrics.ts): after the end it reads the
 * session's report until the missing answers' rubrics are there or its reads run out; a
 * refusal stops it, a failed read is tried again. A stand-in `fetch` plays the server.
 */
import { describe, expect, it } from "vitest";
import { fetchLateRubrics } from "../src/console/late-rubrics.ts";

const RUBRIC = { action: { score: 4, quote: "“I profiled it”" } };
/** As shown: the report's quotation marks taken off (the page's `<q>` adds its own). */
const SHOWN = { action: { score: 4, quote: "I profiled it" } };

function server(replies: (Response | Error)[]) {
  const calls: { url: string; authorization: string | null }[] = [];
  const fetchStub = (async (url: URL, init?: RequestInit) => {
    calls.push({ url: String(url), authorization: new Headers(init?.headers).get("authorization") });
    const reply = replies.shift() ?? new Response("{}", { status: 500 });
    if (reply instanceof Error) throw reply;
    return reply;
  }) as typeof fetch;
  return { calls, fetchStub };
}

const report = (answers: { turn: number; rubric?: unknown }[]) => Response.json({ type: "report", answers });
const request = (fetchStub: typeof fetch, missing: number[], attempts = 5) => ({
  origin: "https://interview.example",
  sessionId: "s 1",
  resumeToken: "o.token",
  missing,
  attempts,
  delayMs: 0,
  fetch: fetchStub,
  sleep: async () => {},
});

describe("late rubrics", () => {
  it("reads the report with the session's token until every missing rubric is there", async () => {
    const { calls, fetchStub } = server([report([{ turn: 1, rubric: RUBRIC }, { turn: 2 }]), new Error("offline"), new Response("busy", { status: 503 }), report([{ turn: 2, rubric: RUBRIC }])]);
    const found = await fetchLateRubrics(request(fetchStub, [2]));
    expect([...found]).toEqual([[2, SHOWN]]);
    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual({ url: "https://interview.example/sessions/s%201/report", authorization: "Bearer o.token" });
  });

  it("gives up after its reads, with what it found; stops at a refusal", async () => {
    const twice = server([report([{ turn: 1 }]), report([{ turn: 1 }]), report([{ turn: 1, rubric: RUBRIC }])]);
    expect((await fetchLateRubrics(request(twice.fetchStub, [1], 2))).size).toBe(0);
    expect(twice.calls).toHaveLength(2);
    for (const status of [401, 404]) {
      const refused = server([new Response("no", { status }), report([{ turn: 1, rubric: RUBRIC }])]);
      expect((await fetchLateRubrics(request(refused.fetchStub, [1]))).size).toBe(0);
      expect(refused.calls).toHaveLength(1);
    }
  });

  it("keeps only the turns it was asked for", async () => {
    const { fetchStub } = server([report([{ turn: 1, rubric: RUBRIC }, { turn: 3, rubric: RUBRIC }])]);
    expect([...(await fetchLateRubrics(request(fetchStub, [3], 1))).keys()]).toEqual([3]);
  });
});
