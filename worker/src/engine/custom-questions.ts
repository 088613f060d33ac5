/**
 * Sanitises `start_session.customQuestions` (docs/seed-behaviour.md §1.3). The steps run in the
 * seed's order on purpose: de-duplication happens after the 24-item cap, so duplicates
 * within the first 24 shrink the queue instead of letting later items in. Clients that
 * paste lists rely on the same result the seed gave them (docs/decisions.md, Keep).
 */
import { CUSTOM_QUESTION_MAX_CHARS, CUSTOM_QUESTIONS_MAX_ITEMS } from "@interview/shared";
import { normalizeWhitespace } from "./text.ts";

const BULLETS = ["-", "*", "•"];

function sanitizeOne(item: string): string {
  let q = item.trim();
  if (BULLETS.some((b) => q.startsWith(b))) q = q.slice(1);
  q = normalizeWhitespace(q);
  if (q === "") return "";
  // Code points, not UTF-16 units, so an emoji is never cut in half (Python slices by code point).
  const chars = Array.from(q);
  if (chars.length > CUSTOM_QUESTION_MAX_CHARS) q = chars.slice(0, CUSTOM_QUESTION_MAX_CHARS).join("").trimEnd();
  // Appended after truncation, as in the seed, so an item can reach 281 characters.
  return q.endsWith("?") ? q : `${q}?`;
}

export function sanitizeCustomQuestions(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const accepted: string[] = [];
  for (const item of raw) {
    if (accepted.length >= CUSTOM_QUESTIONS_MAX_ITEMS) break;
    if (typeof item !== "string") continue;
    const q = sanitizeOne(item);
    if (q !== "") accepted.push(q);
  }
  const seen = new Set<string>();
  return accepted.filter((q) => {
    const key = q.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
