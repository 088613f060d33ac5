/**
 * The model's rubric for the last answer usually comes after the interview has ended: the turn
 * never waits for it, and the server closes the socket after `session_ended`, so it is stored
 * but never sent. Once the interview ends, the console asks the session's report over HTTP
 * (`GET /sessions/:id/report`, with the session's resume token) for the rubrics it has not
 * seen, a few times while the model may still be scoring.
 */
// Types only: a value from shared/feedback would bring zod into the page's bundle.
import type { AnswerScore, ReportOut } from "@interview/shared/feedback";

export type StoredRubric = NonNullable<AnswerScore["rubric"]>;

export interface LateRubricRequest {
  /** The page's origin, e.g. `https://interview.example`. */
  origin: string;
  sessionId: string;
  resumeToken: string;
  /** Answer turns without a rubric so far. */
  missing: readonly number[];
  /** Reads of the report: several when the session showed rubrics (the model is on), else one. */
  attempts: number;
  /** Wait before each read. */
  delayMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** The rubrics found for the missing turns, by turn; fewer (or none) when the report never held them. */
export async function fetchLateRubrics(request: LateRubricRequest): Promise<Map<number, StoredRubric>> {
  const found = new Map<number, StoredRubric>();
  const get = request.fetch ?? fetch;
  const sleep = request.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const url = new URL(`/sessions/${encodeURIComponent(request.sessionId)}/report`, request.origin);
  for (let attempt = 0; attempt < request.attempts && found.size < request.missing.length; attempt++) {
    await sleep(request.delayMs);
    let report: ReportOut;
    try {
      const response = await get(url, { headers: { authorization: `Bearer ${request.resumeToken}` }, cache: "no-store" });
      // Refused (the session was deleted, the token is wrong) or gone: asking again will not help.
      if (response.status === 401 || response.status === 403 || response.status === 404) break;
      if (!response.ok) continue;
      report = (await response.json()) as ReportOut;
    } catch {
      continue;
    }
    for (const answer of report.answers ?? []) {
      if (answer.rubric && request.missing.includes(answer.turn)) found.set(answer.turn, unquoted(answer.rubric));
    }
  }
  return found;
}

/** The report keeps each quote in typographic quotation marks; the page's `<q>` adds its own. */
function unquoted(rubric: StoredRubric): StoredRubric {
  const out: StoredRubric = {};
  for (const [criterion, item] of Object.entries(rubric) as [keyof StoredRubric, StoredRubric[keyof StoredRubric]][]) {
    if (item) out[criterion] = { score: item.score, quote: item.quote.replace(/^“|”$/gu, "") };
  }
  return out;
}
