/**
 * Resume tokens: `<durable object id>.<256 random bits>`. The object id lets the Worker
 * route a reconnect to the right object without a database lookup; the random part is the
 * secret. Only its SHA-256 is stored, and comparison is constant-time.
 */
export function mintResumeToken(objectId: string): string {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  return `${objectId}.${base64url(secret)}`;
}

export function objectIdOf(token: string): string | null {
  const dot = token.indexOf(".");
  const id = dot > 0 ? token.slice(0, dot) : "";
  return /^[0-9a-f]{64}$/.test(id) ? id : null;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function tokenMatches(token: string, expectedHash: string): Promise<boolean> {
  const actual = new TextEncoder().encode(await sha256Hex(token));
  const expected = new TextEncoder().encode(expectedHash);
  if (actual.byteLength !== expected.byteLength) return false;
  return crypto.subtle.timingSafeEqual(actual, expected);
}

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
