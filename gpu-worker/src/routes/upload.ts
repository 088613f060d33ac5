/**
 * Receiving an upload without trusting what the client declared: the bytes are copied as they
 * arrive into a buffer that grows with what has arrived (never with the declared Content-Length),
 * and a request whose declared length is already past the limit is refused before any byte of
 * its body is read.
 */
import { ApiError } from "../errors.ts";
import { MULTIPART_LIMITS } from "../config.ts";

/** First capacity of the upload buffer: small, so a client that declares much and sends little costs little. */
export const INITIAL_UPLOAD_CAPACITY = 64 * 1024;

/**
 * Room for everything in a multipart body besides the file: the form fields at their size limit
 * plus boundaries and part headers (generously 1 KiB a part).
 */
const MULTIPART_OVERHEAD = MULTIPART_LIMITS.fields * MULTIPART_LIMITS.fieldSize + MULTIPART_LIMITS.parts * 1024;

/**
 * 413 before reading the body when its declared Content-Length cannot fit a file of `maxBytes`
 * and the form fields. Without a Content-Length (chunked) the limit is enforced while streaming.
 */
export function refuseDeclaredTooLarge(contentLength: string | undefined, maxBytes: number): void {
  const declared = Number(contentLength);
  if (contentLength === undefined || !Number.isSafeInteger(declared)) return;
  if (declared > maxBytes + MULTIPART_OVERHEAD) {
    throw new ApiError("file_too_large", `The request declares ${declared} bytes; an upload may have at most ${maxBytes} (MAX_UPLOAD_BYTES) plus the form fields.`, { param: "file" });
  }
}

/**
 * The chunks of one upload joined into a Uint8Array that owns its ArrayBuffer (never Node's
 * Buffer pool), so it can be transferred to a worker thread. The buffer starts at
 * INITIAL_UPLOAD_CAPACITY and doubles as bytes arrive (capped at `maxBytes`), so its size is
 * at most twice what was received: each chunk is copied once on arrival and each doubling copies
 * what is there (below 2x the file in all, in steps, instead of one join of the whole file at
 * the end as `toBuffer()` does). The caller enforces `maxBytes` itself (busboy's fileSize).
 */
export async function collectUpload(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  let buffer = new Uint8Array(Math.min(INITIAL_UPLOAD_CAPACITY, maxBytes));
  let length = 0;
  for await (const chunk of chunks) {
    const needed = length + chunk.length;
    if (needed > buffer.length) {
      const grown = new Uint8Array(Math.max(needed, Math.min(buffer.length * 2, maxBytes)));
      grown.set(buffer.subarray(0, length));
      buffer = grown;
    }
    buffer.set(chunk, length);
    length = needed;
  }
  return buffer.subarray(0, length);
}
