/** The SSE decoder, the streamed-question preview filter, and NVIDIA_* variable parsing. */
import { describe, expect, it } from "vitest";
import { QuestionDeltaFilter, SseDecoder, readChunk } from "../../src/model/nvidia/sse.ts";
import { DEFAULT_NVIDIA_LLM_MODEL, DEFAULT_NVIDIA_LLM_URL, nvidiaConfig, parseTimeoutSeconds } from "../../src/model/nvidia/config.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("SseDecoder", () => {
  it("assembles events split anywhere, with CRLF, comments and multi-line data", () => {
    const d = new SseDecoder();
    expect(d.push(bytes('data: {"a"'))).toEqual([]);
    expect(d.push(bytes(":1}\r\n\r\n: comment\n\ndata: x\ndata: y\r"))).toEqual(['{"a":1}']);
    expect(d.push(bytes("\n\r\ndata: [DONE]\n\n"))).toEqual(["x\ny", "[DONE]"]);
  });
  it("reads content and finish markers, ignoring malformed chunks", () => {
    expect(readChunk('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')).toEqual({ content: "Hi", finished: false });
    expect(readChunk('{"choices":[{"delta":{},"finish_reason":"stop"}]}')).toEqual({ content: "", finished: true });
    expect(readChunk("[DONE]")).toEqual({ content: "", finished: true });
    expect(readChunk("{not json")).toEqual({ content: "", finished: false });
  });
});

describe("QuestionDeltaFilter", () => {
  const run = (deltas: string[]) => {
    const f = new QuestionDeltaFilter();
    return deltas.map((d) => f.push(d)).join("");
  };
  it("passes plain text through", () => {
    expect(run(["  Tell ", "me about ", "it?"])).toBe("Tell me about it?");
  });
  it("shows only the question string of a JSON reply, escapes across deltas", () => {
    expect(run(['{"ques', 'tion": "Say \\', '"hi\\" to ', 'the \\u00e9quipe"', ', "x": 1}'])).toBe('Say "hi" to the équipe');
    expect(run(["```json\n", '{"question":"Why', ' now?"}\n```'])).toBe("Why now?");
  });
});

describe("nvidiaConfig", () => {
  it("is null without a key and applies the seed's defaults", () => {
    expect(nvidiaConfig({})).toBeNull();
    expect(nvidiaConfig({ NVIDIA_API_KEY: "  " })).toBeNull();
    expect(nvidiaConfig({ NVIDIA_API_KEY: "k" })).toEqual({
      apiKey: "k",
      url: DEFAULT_NVIDIA_LLM_URL,
      model: DEFAULT_NVIDIA_LLM_MODEL,
      timeoutMs: 12_000,
    });
  });
  it("parses the timeout defensively", () => {
    expect(parseTimeoutSeconds("2.5")).toBe(2.5);
    expect(parseTimeoutSeconds(" 8 ")).toBe(8);
    for (const bad of [undefined, "", "abc", "0", "-3", "NaN", "1e999"]) expect(parseTimeoutSeconds(bad)).toBe(12);
    expect(parseTimeoutSeconds("0.01")).toBe(0.1);
    expect(parseTimeoutSeconds("9999")).toBe(120);
  });
});
