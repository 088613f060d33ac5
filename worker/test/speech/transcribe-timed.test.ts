/**
 * `transcribeTimed` (speech-transcription.ts): one transcription call with word timestamps, the
 * seed's transcript from the segments, and no second try when the speech worker refuses the
 * request (a 400 about timestamps is this server's problem, answered 503).
 */
import { describe, expect, it } from "vitest";
import { SpeechClient } from "../../src/clients/speech-client.ts";
import { transcribeTimed } from "../../src/routes/speech-transcription.ts";

function countingClient(reply: () => Response) {
  const forms: FormData[] = [];
  const client = new SpeechClient({
    baseUrl: "http://speech.test",
    fetch: async (input, init) => {
      forms.push(await new Request(input as string, init).formData());
      return reply();
    },
  });
  return { client, forms };
}

const upload = () => ({ file: new File([new Uint8Array([1, 2, 3])], "a.wav", { type: "audio/wav" }), fields: {} });

describe("transcribeTimed", () => {
  it("asks once, with word timestamps, and joins the segments' texts", async () => {
    const { client, forms } = countingClient(() =>
      Response.json({ text: "x", segments: [{ start: 0, end: 1, text: " Hello " }, { start: 1, end: 2, text: " " }, { start: 2, end: 3, text: "world." }] }),
    );
    const result = await transcribeTimed(client, upload(), "en");
    expect(result).toMatchObject({ ok: true, value: { transcript: "Hello world.", latencyMs: expect.any(Number) } });
    expect(forms.map((f) => f.getAll("timestamp_granularities[]"))).toEqual([["segment", "word"]]);
  });

  it("does not retry without word timestamps when the speech worker refuses them: 503", async () => {
    const { client, forms } = countingClient(() =>
      Response.json({ error: { message: "word timestamps are not supported", type: "invalid_request_error", param: null, code: "invalid_request" } }, { status: 400 }),
    );
    const result = await transcribeTimed(client, upload(), "en");
    expect(result).toMatchObject({ ok: false, failure: { status: 503, code: "unavailable", upstreamCode: "invalid_request" } });
    expect(forms).toHaveLength(1);
  });
});
