/**
 * CSV for the export buttons, by the export CLI's rules (worker/scripts/export-lib.ts): RFC 4180
 * quoting, nulls empty, objects as JSON, and text a spreadsheet would run as a formula (=, +,
 * -, @, tab, CR first) written with a leading apostrophe, since answers are candidates' text.
 */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const lines = [columns.map(csvField).join(",")];
  for (const row of rows) lines.push(columns.map((c) => csvField(row[c])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (typeof value !== "number" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const ANSWER_COLUMNS = ["id", "session_id", "turn", "answer", "style", "group_name", "speaking_rate", "pause_ratio", "gaze", "fillers", "created_at"];
export const TELEMETRY_COLUMNS = ["id", "session_id", "event_type", "latency_ms", "group_name", "payload", "created_at"];

/** Offers text as a file download. */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
