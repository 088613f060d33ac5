/**
 * The operator figures' Analytics Engine points (ops/figures.ts): the layout the README's SQL
 * reads (blob1 the kind, blob2 the outcome), one point per call or run, and a dataset that
 * throws costs the caller nothing. Without the SERVICE_HEALTH binding no fleet batch is sent.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LlmCallReport } from "../../src/engine/types.ts";
import { forgetIsolateFiguresForTests, isolateFigures, recordModelCalls, recordReplication, recordSpeechCall } from "../../src/ops/figures.ts";

afterEach(() => {
  forgetIsolateFiguresForTests();
  vi.restoreAllMocks();
});

function dataset() {
  const points: AnalyticsEngineDataPoint[] = [];
  return { points, OPS_FIGURES: { writeDataPoint: (point?: AnalyticsEngineDataPoint) => void points.push(point!) } as AnalyticsEngineDataset };
}

const call = (outcome: LlmCallReport["outcome"], latencyMs: number): LlmCallReport => ({
  purpose: "question", model: "m", outcome, latencyMs, ttftMs: null, attempts: outcome === "circuit_open" ? 0 : 1, status: null, streamed: false,
});

describe("operator figures", () => {
  it("one point per model call, speech call and replication run, kind first", () => {
    const { points, OPS_FIGURES } = dataset();
    recordModelCalls({ OPS_FIGURES }, [call("ok", 800), call("timeout", 12_000)]);
    recordSpeechCall({ OPS_FIGURES }, "https://speech.example.org/v1", { outcome: "ok", path: "/audio/speech", latencyMs: 300, status: 200 });
    recordReplication({ OPS_FIGURES }, "object-1", { outcome: "failed", rows: 7, backlogAfter: 7, lagMs: 4_000, attempt: 2 });
    expect(points).toEqual([
      { indexes: ["model_call"], blobs: ["model_call", "ok", "question"], doubles: [800, 1] },
      { indexes: ["model_call"], blobs: ["model_call", "timeout", "question"], doubles: [12_000, 1] },
      { indexes: ["speech_call"], blobs: ["speech_call", "ok", "/audio/speech"], doubles: [300, 200] },
      { indexes: ["replication"], blobs: ["replication", "failed"], doubles: [7, 7, 4_000, 2] },
    ]);
    expect(isolateFigures().calls).toEqual({
      model_call: { ok: { count: 1, meanMs: 800, maxMs: 800 }, timeout: { count: 1, meanMs: 12_000, maxMs: 12_000 } },
      speech_call: { ok: { count: 1, meanMs: 300, maxMs: 300 } },
      replication: { failed: { count: 1, meanMs: 4_000, maxMs: 4_000 } },
    });
  });

  it("a dataset that throws: the caller goes on, one line says a figure was dropped", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const OPS_FIGURES = { writeDataPoint: () => { throw new Error("quota"); } } as unknown as AnalyticsEngineDataset;
    expect(() => recordModelCalls({ OPS_FIGURES }, [call("ok", 1)])).not.toThrow();
    expect(JSON.parse(String(warn.mock.calls[0]![0]))).toMatchObject({ event: "ops_figure_dropped", kind: "model_call", error: "quota" });
  });

  it("no dataset bound: counted in the isolate only", () => {
    recordModelCalls({}, [call("invalid", 50)]);
    expect(isolateFigures().calls.model_call).toEqual({ invalid: { count: 1, meanMs: 50, maxMs: 50 } });
  });
});
