/**
 * Text preparation for TTS, pure functions: normalisation (currency, percent, thousands
 * separators, decimals, symbols), sentence splitting for streaming and for the model's
 * 510-token context, and splitting a sentence into speakable runs and punctuation so that
 * punctuation survives phonemisation (espeak drops it).
 */

/** Punctuation Kokoro's vocabulary knows; it shapes prosody, so it is kept between runs. */
export const PUNCTUATION_RUN = /(\s*[;:,.!?¡¿—…"«»“”()[\]{}]+\s*)+/g;

const SMALL_CURRENCY: Record<string, [string, string]> = { $: ["dollar", "dollars"], "€": ["euro", "euros"], "£": ["pound", "pounds"] };

export function normaliseText(input: string): string {
  let t = input.normalize("NFKC").replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ");
  t = t.replace(/[‘’]/g, "'").replace(/\s+/g, " ").trim();
  // 1,234,567 -> 1234567 (espeak reads plain integers well)
  t = t.replace(/\b\d{1,3}(?:,\d{3})+\b/g, (m) => m.replace(/,/g, ""));
  // $5, $5.20, €3 -> "5 dollars", "5 dollars 20", ...
  t = t.replace(/([$€£])\s?(\d+)(?:\.(\d{1,2}))?\b/g, (_m, sym: string, whole: string, cents: string | undefined) => {
    const [one, many] = SMALL_CURRENCY[sym]!;
    const unit = whole === "1" ? one : many;
    return cents && Number(cents) > 0 ? `${whole} ${unit} ${Number(cents.padEnd(2, "0"))}` : `${whole} ${unit}`;
  });
  t = t.replace(/(\d)\s?%/g, "$1 percent");
  // 3.14 -> 3 point 1 4
  t = t.replace(/\b(\d+)\.(\d+)\b/g, (_m, a: string, b: string) => `${a} point ${b.split("").join(" ")}`);
  t = t.replace(/&/g, " and ").replace(/\+/g, " plus ").replace(/@/g, " at ").replace(/\s+/g, " ");
  return t.trim();
}

/** Sentences, each with its closing punctuation; never empty strings. */
export function splitSentences(text: string): string[] {
  const parts = text.match(/[^.!?…]+(?:[.!?…]+["”»)]*|$)/g) ?? [];
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

export interface TextRun {
  text: string;
  punctuation: boolean;
}

/** Alternating speakable and punctuation runs of one sentence. */
export function splitPunctuation(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let last = 0;
  for (const m of text.matchAll(PUNCTUATION_RUN)) {
    if (m.index > last) runs.push({ text: text.slice(last, m.index), punctuation: false });
    runs.push({ text: m[0], punctuation: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) runs.push({ text: text.slice(last), punctuation: false });
  return runs;
}
