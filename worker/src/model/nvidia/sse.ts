/**
 * Reading an OpenAI-style chat-completions stream: server-sent events whose `data:` lines
 * carry `chat.completion.chunk` JSON, ended by `data: [DONE]`. Only what the interviewer
 * needs is kept: the content deltas and whether the stream finished properly.
 *
 * Deliberately small: comments, `event:`/`id:`/`retry:` fields and multi-line data are
 * handled as the SSE spec says, but reconnection is not (a chat stream is not resumable).
 */

export interface SseChunk {
  /** Content text in this event, possibly empty. */
  content: string;
  /** `[DONE]` or a choice with a finish_reason was seen. */
  finished: boolean;
}

/** Splits a byte stream into SSE `data` payloads, tolerating CRLF and chunk boundaries anywhere. */
export class SseDecoder {
  private buffer = "";
  private data: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Feeds bytes; returns the data payloads of the events completed by them. */
  push(bytes: Uint8Array): string[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    const events: string[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (newline === this.buffer.length - 1 && this.buffer.endsWith("\r")) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === "") {
        if (this.data.length > 0) events.push(this.data.join("\n"));
        this.data = [];
      } else if (line.startsWith("data:")) {
        this.data.push(line.slice(5).replace(/^ /, ""));
      }
      // Other fields and `:` comments are ignored.
    }
    return events;
  }
}

/** Reads one `data` payload. Malformed JSON yields no content rather than an error. */
export function readChunk(data: string): SseChunk {
  if (data.trim() === "[DONE]") return { content: "", finished: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { content: "", finished: false };
  }
  const choice = (parsed as { choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[] })?.choices?.[0];
  const content = typeof choice?.delta?.content === "string" ? choice.delta.content : "";
  return { content, finished: typeof choice?.finish_reason === "string" && choice.finish_reason !== "" };
}

/**
 * Turns the raw streamed reply into text fit to show while it is written. The prompt asks for
 * the bare question, but a model may still wrap it as `{"question": "..."}` or in a code
 * fence; then only the string value is passed on. Anything else is passed through as is: the
 * final `question` frame carries the cleaned text, so deltas are a preview.
 */
export class QuestionDeltaFilter {
  private mode: "detect" | "plain" | "seek_key" | "in_string" | "done" = "detect";
  private pending = "";
  private escape = "";

  push(delta: string): string {
    let out = "";
    this.pending += delta;
    for (;;) {
      if (this.mode === "detect") {
        const trimmed = this.pending.trimStart();
        if (trimmed === "") return out;
        if (trimmed.startsWith("{") || trimmed.startsWith("`")) this.mode = "seek_key";
        else {
          this.mode = "plain";
          this.pending = trimmed;
        }
        continue;
      }
      if (this.mode === "plain") {
        out += this.pending;
        this.pending = "";
        return out;
      }
      if (this.mode === "seek_key") {
        const match = /"(?:question|prompt|text)"\s*:\s*"/.exec(this.pending);
        if (!match) return out;
        this.pending = this.pending.slice(match.index + match[0].length);
        this.mode = "in_string";
        continue;
      }
      if (this.mode === "in_string") {
        const [text, rest, closed] = this.readString(this.pending);
        out += text;
        this.pending = rest;
        if (closed) this.mode = "done";
        return out;
      }
      this.pending = "";
      return out;
    }
  }

  /** Consumes JSON string characters up to the closing quote; escapes may span deltas. */
  private readString(input: string): [string, string, boolean] {
    let out = "";
    let i = 0;
    while (i < input.length) {
      const ch = input[i]!;
      if (this.escape !== "" || ch === "\\") {
        this.escape += ch;
        i += 1;
        const resolved = resolveEscape(this.escape);
        if (resolved !== null) {
          out += resolved;
          this.escape = "";
        }
        continue;
      }
      if (ch === '"') return [out, input.slice(i + 1), true];
      out += ch;
      i += 1;
    }
    return [out, "", false];
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "", f: "", n: " ", r: "", t: " " };

/** The text of a complete escape sequence, or null while it is still incomplete. */
function resolveEscape(seq: string): string | null {
  if (seq.length < 2) return null;
  const kind = seq[1]!;
  if (kind !== "u") return SIMPLE_ESCAPES[kind] ?? kind;
  if (seq.length < 6) return null;
  const code = Number.parseInt(seq.slice(2, 6), 16);
  return Number.isNaN(code) ? "" : String.fromCharCode(code);
}
