/**
 * The dashboard's calls to the research routes (README "HTTP routes"), with the admin token the
 * user entered (sessionStorage: this tab only, gone when it closes). Every refusal becomes an
 * AdminApiError with the server's code, so the page can say what went wrong.
 */
import { describeRefusal } from "../common/refusals.ts";

const TOKEN_KEY = "dashboard.adminToken";

export function adminToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function setAdminToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function adminFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const token = adminToken();
  // No header at all without a token: a dev server without ADMIN_TOKEN accepts that.
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? null : JSON.stringify(init.body),
      cache: "no-store",
    });
  } catch {
    throw new AdminApiError(0, "network", "The server cannot be reached. Check that it is running, then try again.");
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    const { code, message } = (body ?? {}) as { code?: string; message?: string };
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    const finalCode = code ?? `http_${response.status}`;
    throw new AdminApiError(response.status, finalCode, describeRefusal(finalCode, message ?? response.statusText, retryAfter));
  }
  return body as T;
}
