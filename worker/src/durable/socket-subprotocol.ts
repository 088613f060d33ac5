/**
 * The WebSocket subprotocol of the interview socket. Browsers cannot set headers on a
 * WebSocket, but they can offer subprotocols, so a resume token travels as one:
 * `new WebSocket(url, ["interview.v1", "resume." + resumeToken])`. It stays out of the URL,
 * where proxies and edge logs keep it. The server answers with `interview.v1`.
 */
export const INTERVIEW_SUBPROTOCOL = "interview.v1";
const RESUME_PREFIX = "resume.";

export interface OfferedSubprotocols {
  /** `interview.v1` when the client offered it: the 101 must name it. */
  selected: string | null;
  /** The resume token offered as `resume.<token>`, when `interview.v1` was offered too. */
  resumeToken: string | null;
}

export function offeredSubprotocols(headers: Headers): OfferedSubprotocols {
  const offered = (headers.get("Sec-WebSocket-Protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (!offered.includes(INTERVIEW_SUBPROTOCOL)) return { selected: null, resumeToken: null };
  const resume = offered.find((p) => p.startsWith(RESUME_PREFIX));
  return { selected: INTERVIEW_SUBPROTOCOL, resumeToken: resume ? resume.slice(RESUME_PREFIX.length) || null : null };
}
