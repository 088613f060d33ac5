/**
 * One request followed by its id through both services' logs: the Worker's JSON request line
 * and the real speech worker's (Fastify's) lines name the same `requestId`, whether the caller
 * chose it (x-request-id) or the Worker did; the reply echoes it.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, bearer, call, postJson } from "../workerd/rest-client.ts";

afterEach(() => vi.restoreAllMocks());

type Line = Record<string, unknown>;

function jsonLines(text: string): Line[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
}

/** The speech worker's log so far (the test setup keeps it; see speech-worker-setup.ts). */
async function speechWorkerLog(): Promise<Line[]> {
  const response = await fetch(`${env.SPEECH_WORKER_URL}/test-logs`, { headers: bearer("speech-test-key") });
  return jsonLines(await response.text());
}

function workerLog(spy: { mock: { calls: unknown[][] } }): Line[] {
  return jsonLines(spy.mock.calls.map((args) => String(args[0])).join("\n"));
}

async function speak(headers: Record<string, string>): Promise<Response> {
  const text = `Trace me ${crypto.randomUUID().slice(0, 8)}.`;
  return call("/tts", postJson({ text, style: "neutral" }, { ...bearer(ADMIN_TOKEN), ...headers }));
}

describe("a request id across the Worker and the speech worker", () => {
  it("the caller's x-request-id: the Worker's line and the speech worker's lines carry it", async () => {
    const log = vi.spyOn(console, "log");
    const id = `trace-${crypto.randomUUID()}`;
    const response = await speak({ "x-request-id": id });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect(response.headers.get("x-request-id")).toBe(id);

    const worker = workerLog(log).filter((l) => l.requestId === id);
    expect(worker).toEqual([expect.objectContaining({ event: "request", method: "POST", path: "/tts", status: 200 })]);

    const speech = (await speechWorkerLog()).filter((l) => l.requestId === id);
    expect(speech.map((l) => l.msg)).toEqual(expect.arrayContaining(["incoming request", "request completed"]));
    expect(speech.find((l) => l.msg === "incoming request")).toMatchObject({ req: { url: "/v1/audio/speech" } });
  });

  it("no id from the caller: the Worker's own id reaches the speech worker", async () => {
    const log = vi.spyOn(console, "log");
    const response = await speak({});
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[\w-]+$/);
    expect(workerLog(log).filter((l) => l.requestId === id)).toHaveLength(1);
    expect((await speechWorkerLog()).some((l) => l.requestId === id && l.msg === "request completed")).toBe(true);
  });

  it("a malformed caller id is not passed on: the Worker uses its own", async () => {
    const response = await speak({ "x-request-id": "not ok; <script>" });
    const id = response.headers.get("x-request-id");
    expect(id).not.toContain("script");
    expect((await speechWorkerLog()).some((l) => l.requestId === id)).toBe(true);
  });
});
