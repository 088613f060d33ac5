/**
 * The speech client's requests and its error mapping, against an injected fetch (plus one real
 * connection to a closed port): unconfigured, network error, timeout, caller abort, 5xx, a
 * malformed reply, our own misconfiguration (401/404) and a 400/422 about our request are all
 * 503 `unavailable`; the caller's own problems pass through (400 `invalid_audio` for audio
 * codes, `validation_failed` for `unsupported_language`, 413
 * `payload_too_large`, 429 `busy` with Retry-After). The real speech worker is exercised in
 * test/speech-workerd.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { SpeechClient, type SpeechResult } from "../../src/clients/speech-client.ts";

const openAiError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code } }), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });

function clientReplying(reply: (request: Request, signal: AbortSignal | undefined) => Response | Promise<Response>, options: { transcribeTimeoutMs?: number } = {}) {
  const seen: Request[] = [];
  const client = new SpeechClient({
    baseUrl: "http://speech.test:8788/",
    apiKey: "k3y",
    ...options,
    fetch: async (input, init) => {
      const request = new Request(input as string, init);
      seen.push(request.clone());
      return reply(request, init?.signal ?? undefined);
    },
  });
  return { client, seen };
}

const audio = () => new Blob([new Uint8Array([1, 2, 3])], { type: "audio/wav" });
const failureOf = <T>(result: SpeechResult<T>) => {
  if (result.ok) throw new Error("expected a failure");
  return result.failure;
};

describe("SpeechClient requests", () => {
  it("transcribes as verbose_json with word and segment timestamps and the bearer key", async () => {
    const { client, seen } = clientReplying(() =>
      Response.json({ text: " hi there", duration: 2, words: [{ word: "hi", start: 0, end: 0.3 }], segments: [{ id: 0, start: 0, end: 1, text: " hi there" }], pause_ratio: 0.4, speech_seconds: 1.2 }),
    );
    const result = await client.transcribe(audio(), { language: "de", wordTimestamps: true, filename: "a.wav" });
    expect(result).toMatchObject({ ok: true, value: { text: " hi there", duration: 2, pause_ratio: 0.4, speech_seconds: 1.2 } });
    const request = seen[0]!;
    expect(request.url).toBe("http://speech.test:8788/v1/audio/transcriptions");
    expect(request.headers.get("Authorization")).toBe("Bearer k3y");
    const form = await request.formData();
    expect(form.get("model")).toBe("whisper-1");
    expect(form.get("language")).toBe("de");
    expect(form.get("response_format")).toBe("verbose_json");
    expect(form.getAll("timestamp_granularities[]")).toEqual(["segment", "word"]);
    expect((form.get("file") as File).name).toBe("a.wav");
  });

  it("reads an OpenAI reply without the extension fields as nulls and missing lists as empty", async () => {
    const { client } = clientReplying(() => Response.json({ text: "ok" }));
    expect(await client.transcribe(audio(), { language: "en", wordTimestamps: false })).toEqual({
      ok: true,
      value: { text: "ok", words: [], segments: [], pause_ratio: null, speech_seconds: null },
    });
  });

  it("keeps an OpenAI-style base ending in /v1", async () => {
    const seen: string[] = [];
    const client = new SpeechClient({ baseUrl: "https://api.example.com/v1", fetch: async (input) => (seen.push(String(input)), new Response(new Uint8Array([1]))) });
    await client.synthesize({ input: "x", voice: "alloy", speed: 1, format: "wav" });
    expect(seen).toEqual(["https://api.example.com/v1/audio/speech"]);
  });

  it("synthesizes with model, voice, speed and format, returning bytes and the sample rate", async () => {
    const { client, seen } = clientReplying(() => new Response(new Uint8Array([82, 73, 70, 70]), { headers: { "Content-Type": "audio/wav", "x-sample-rate": "24000" } }));
    const result = await client.synthesize({ input: "Hello.", voice: "am_echo", speed: 0.94, format: "wav" });
    if (!result.ok) throw new Error(result.failure.message);
    expect(new Uint8Array(result.value.bytes)).toEqual(new Uint8Array([82, 73, 70, 70]));
    expect(result.value).toMatchObject({ contentType: "audio/wav", sampleRate: "24000" });
    expect(await seen[0]!.json()).toEqual({ model: "tts-1", input: "Hello.", voice: "am_echo", speed: 0.94, response_format: "wav" });
  });
});

describe("SpeechClient failures", () => {
  it("is 503 unavailable when SPEECH_WORKER_URL is unset, without a request", async () => {
    let called = false;
    const client = new SpeechClient({ baseUrl: undefined, fetch: async () => ((called = true), new Response()) });
    expect(client.configured).toBe(false);
    expect(failureOf(await client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toEqual({
      status: 503,
      code: "unavailable",
      message: expect.stringContaining("SPEECH_WORKER_URL"),
    });
    expect(called).toBe(false);
  });

  it.each([
    [400, "invalid_audio", { status: 400, code: "invalid_audio" }],
    [400, "empty_file", { status: 400, code: "invalid_audio" }],
    [400, "audio_too_long", { status: 400, code: "invalid_audio" }],
    [422, "invalid_audio", { status: 400, code: "invalid_audio" }],
    [400, "unsupported_language", { status: 400, code: "validation_failed" }],
    [422, "unsupported_language", { status: 400, code: "validation_failed" }],
    // Not about the caller's audio or language: this server's request was wrong.
    [400, "invalid_request", { status: 503, code: "unavailable" }],
    [400, "input_too_long", { status: 503, code: "unavailable" }],
    [422, "unprocessable_entity", { status: 503, code: "unavailable" }],
    [400, "unknown_voice", { status: 503, code: "unavailable" }],
    [413, "file_too_large", { status: 413, code: "payload_too_large" }],
    [401, "invalid_api_key", { status: 503, code: "unavailable" }],
    [404, "model_not_found", { status: 503, code: "unavailable" }],
    [500, "internal", { status: 503, code: "unavailable" }],
    [503, "model_not_loaded", { status: 503, code: "unavailable" }],
  ])("maps %i %s", async (status, code, expected) => {
    const { client } = clientReplying(() => openAiError(status, code, `worker says ${code}`));
    const failure = failureOf(await client.transcribe(audio(), { language: "en", wordTimestamps: true }));
    expect(failure).toMatchObject({ ...expected, upstreamCode: code });
    if (expected.status !== 503) expect(failure.message).toBe(`worker says ${code}`);
    else expect(failure.message).toMatch(/speech worker/);
  });

  it("passes 429 through as busy with Retry-After", async () => {
    const { client } = clientReplying(() => openAiError(429, "queue_full", "The speech worker is busy.", { "Retry-After": "2" }));
    expect(failureOf(await client.synthesize({ input: "x", voice: "alloy", speed: 1, format: "wav" }))).toEqual({
      status: 429,
      code: "busy",
      message: "The speech worker is busy.",
      retryAfter: "2",
      upstreamCode: "queue_full",
    });
  });

  it("says so on a wrong key, and reads non-OpenAI error bodies", async () => {
    const wrongKey = clientReplying(() => openAiError(401, "invalid_api_key", "Incorrect API key"));
    expect(failureOf(await wrongKey.client.synthesize({ input: "x", voice: "alloy", speed: 1, format: "wav" })).message).toMatch(/SPEECH_API_KEY/);
    const plain = clientReplying(() => new Response("upstream exploded", { status: 502 }));
    expect(failureOf(await plain.client.synthesize({ input: "x", voice: "alloy", speed: 1, format: "wav" }))).toEqual({
      status: 503,
      code: "unavailable",
      message: "The speech worker failed (HTTP 502: upstream exploded).",
    });
  });

  it("is 503 on a 400 without an OpenAI body (nothing says it is the caller's audio)", async () => {
    const { client } = clientReplying(() => new Response("bad", { status: 400 }));
    expect(failureOf(await client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toEqual({
      status: 503,
      code: "unavailable",
      message: "The speech worker refused this server's request (HTTP 400: bad).",
    });
  });

  it("is 503 on a synthesis reply that is not audio, or is empty", async () => {
    const request = { input: "x", voice: "alloy", speed: 1, format: "wav" } as const;
    const html = clientReplying(() => new Response("<html>", { headers: { "Content-Type": "text/html" } }));
    expect(failureOf(await html.client.synthesize(request))).toEqual({ status: 503, code: "unavailable", message: "The speech worker sent `text/html`, not audio." });
    const untyped = clientReplying(() => new Response(new Uint8Array([1])));
    expect(failureOf(await untyped.client.synthesize(request))).toMatchObject({ status: 503, message: /no Content-Type/ });
    const empty = clientReplying(() => new Response(new Uint8Array(0), { headers: { "Content-Type": "audio/wav" } }));
    expect(failureOf(await empty.client.synthesize(request))).toMatchObject({ status: 503, message: "The speech worker sent no audio." });
  });

  it("is 503 on a malformed or non-JSON transcription", async () => {
    const malformed = clientReplying(() => Response.json({ transcript: "wrong shape" }));
    expect(failureOf(await malformed.client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toMatchObject({ status: 503, message: /cannot read/ });
    const html = clientReplying(() => new Response("<html>", { headers: { "Content-Type": "text/html" } }));
    expect(failureOf(await html.client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toMatchObject({ status: 503, message: /not JSON/ });
  });

  it("is 503 on a timeout, and on a caller's abort", async () => {
    const hang = (_request: Request, signal: AbortSignal | undefined) =>
      new Promise<Response>((_resolve, reject) => signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
    const slow = clientReplying(hang, { transcribeTimeoutMs: 50 });
    expect(failureOf(await slow.client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toEqual({
      status: 503,
      code: "unavailable",
      message: "The speech worker did not answer within 0.05 s.",
    });
    const controller = new AbortController();
    const pending = clientReplying(hang).client.transcribe(audio(), { language: "en", wordTimestamps: true }, controller.signal);
    controller.abort();
    expect(failureOf(await pending)).toMatchObject({ status: 503, message: /cancelled/ });
  });

  it("is 503 when nothing listens (real connection to a closed port)", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const client = new SpeechClient({ baseUrl: `http://127.0.0.1:${port}` });
    expect(failureOf(await client.transcribe(audio(), { language: "en", wordTimestamps: true }))).toMatchObject({
      status: 503,
      code: "unavailable",
      message: expect.stringMatching(/^The speech worker cannot be reached/),
    });
  });
});
