/**
 * CSV of the research export, one writer for the export CLI (worker/scripts/export-lib.ts) and
 * the dashboard's download buttons: RFC 4180 quoting, CRLF line ends, nulls empty, objects as
 * JSON, and the columns of each table in one place.
 */

/** The columns of each exported table, in order (the export's JSON field names). */
export const EXPORT_COLUMNS = {
  sessions: ["id", "style", "group_name", "group_assignment", "participant_id", "consented", "accent", "notes", "created_at"],
  answers: ["id", "session_id", "turn", "answer", "style", "group_name", "speaking_rate", "pause_ratio", "gaze", "fillers", "created_at"],
  checkins: ["id", "session_id", "group_name", "confidence", "stress", "created_at"],
  telemetry: ["id", "session_id", "event_type", "latency_ms", "group_name", "payload", "created_at"],
  feedback: [
    "id", "session_id", "turn", "star_score", "relevance", "numbers", "hedges", "words_per_minute", "fillers_per_100_words",
    "score", "content", "delivery", "rubric", "created_at",
  ],
} as const satisfies Record<string, readonly string[]>;

export type ExportTable = keyof typeof EXPORT_COLUMNS;

export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  // A candidate's answer is text a spreadsheet would run as a formula ("=HYPERLINK(...)"):
  // text cells starting with = + - @ tab or CR get a leading apostrophe (OWASP's advice).
  // Numbers stay numbers, negative ones included.
  if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
