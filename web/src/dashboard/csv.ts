/**
 * The export buttons' files: CSV by the export CLI's own writer and columns
 * (@interview/shared/csv), offered as a download.
 */
import { EXPORT_COLUMNS } from "@interview/shared/csv";

export { toCsv } from "@interview/shared/csv";
export const ANSWER_COLUMNS = EXPORT_COLUMNS.answers;
export const TELEMETRY_COLUMNS = EXPORT_COLUMNS.telemetry;

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
