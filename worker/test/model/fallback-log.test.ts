/**
 * The interview adapter's one structured log line when a model call failed and the heuristics
 * answered (timeout, HTTP error, unusable content, open circuit, a model that threw); healthy
 * calls log nothing. The reports are the NVIDIA adapter's own `llm_call` reports.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { logModelFallbacks, logModelThrew } from "../../src/durable/fallback-log.ts";
import type { LlmCallReport } from "../../src/engine/types.ts";

const report = (outcome: LlmCallReport["outcome"], extra: Partial<LlmCallReport> = {}): LlmCallReport => ({
  purpose: "coaching",
  model: "meta/llama",
  outcome,
  latencyMs: 8000,
  ttftMs: null,
  attempts: 2,
  status: null,
  streamed: false,
  ...extra,
});

afterEach(() => vi.restoreAllMocks());

describe("model_fallback log line", () => {
  it("one JSON line per failed call, with the session id and turn; none for ok calls", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const logged = logModelFallbacks("s-1", 3, [
      report("ok", { latencyMs: 900, attempts: 1, status: 200 }),
      report("timeout", { detail: "no reply within 8 s" }),
      report("circuit_open", { purpose: "question", attempts: 0, latencyMs: 0 }),
      report("http_error", { status: 503, attempts: 2 }),
      report("invalid", { status: 200, attempts: 1 }),
    ]);
    expect(logged).toBe(4);
    const lines = warn.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(lines).toEqual([
      { event: "model_fallback", sessionId: "s-1", turn: 3, purpose: "coaching", model: "meta/llama", outcome: "timeout", attempts: 2, status: null, latencyMs: 8000, detail: "no reply within 8 s" },
      { event: "model_fallback", sessionId: "s-1", turn: 3, purpose: "question", model: "meta/llama", outcome: "circuit_open", attempts: 0, status: null, latencyMs: 0 },
      expect.objectContaining({ outcome: "http_error", status: 503 }),
      expect.objectContaining({ outcome: "invalid", status: 200 }),
    ]);
  });

  it("logs nothing for healthy calls or a heuristic answer without calls", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(logModelFallbacks("s-1", 0, [report("ok", { status: 200 })])).toBe(0);
    expect(logModelFallbacks("s-1", 0, undefined)).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it("a model that threw is one error line, with a short detail", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    logModelThrew("s-9", 1, "nvidia", new RangeError("x".repeat(500)));
    expect(error).toHaveBeenCalledTimes(1);
    const line = JSON.parse(String(error.mock.calls[0]![0]));
    expect(line).toMatchObject({ event: "model_fallback", sessionId: "s-9", turn: 1, model: "nvidia", outcome: "threw", purpose: null });
    expect(line.detail).toMatch(/^RangeError: x+$/);
    expect(line.detail.length).toBe(200);
  });
});
