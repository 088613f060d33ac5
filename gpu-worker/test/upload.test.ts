/**
 * collectUpload: the upload buffer grows with the bytes that arrived, never with what the client
 * declared: ten bytes cost one small buffer, a large upload at most twice its size.
 */
import { describe, expect, it } from "vitest";
import { collectUpload, INITIAL_UPLOAD_CAPACITY } from "../src/routes/upload.ts";

/** Chunks of the given sizes whose byte at overall offset i is i & 0xff. */
async function* chunks(sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (const size of sizes) {
    const chunk = new Uint8Array(size);
    for (let i = 0; i < size; i++) chunk[i] = (offset + i) & 0xff;
    offset += size;
    yield chunk;
  }
}

describe("collectUpload", () => {
  it("allocates a small buffer for a few bytes, whatever the limit", async () => {
    const bytes = await collectUpload(chunks([10]), 500_000_000);
    expect([...bytes]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bytes.buffer.byteLength).toBe(INITIAL_UPLOAD_CAPACITY);
  });

  it("grows to at most twice what arrived, joins the chunks in order, and owns its ArrayBuffer", async () => {
    const sizes = Array.from({ length: 100 }, (_v, i) => 1000 + ((i * 7919) % 60_000));
    const total = sizes.reduce((a, b) => a + b, 0);
    const bytes = await collectUpload(chunks(sizes), 25 * 1024 * 1024);
    expect(bytes.length).toBe(total);
    expect(bytes.buffer.byteLength).toBeLessThanOrEqual(2 * total);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    for (let i = 0; i < total; i += 4099) expect(bytes[i]).toBe(i & 0xff);
  });

  it("never grows past maxBytes when the bytes fit in it", async () => {
    const bytes = await collectUpload(chunks([100_000, 100_000, 100_000]), 300_000);
    expect(bytes.length).toBe(300_000);
    expect(bytes.buffer.byteLength).toBe(300_000);
  });
});
