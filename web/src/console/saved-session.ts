/**
 * What the console keeps in the tab's sessionStorage so that reloading the page resumes the
 * interview instead of losing it: the resume token, and every message the candidate sent with
 * an `id` (answers, clarifications, style switches, check-ins) with whether the server has
 * acknowledged it.
 *
 * Why the sent messages: the server replays its own messages on a resume (`lastSeq=0`: all of
 * them, README "Resuming an interview"), but not the candidate's typed answers. Each replayed
 * `ack` names the id of the message it applied, in the place the server applied it, so the
 * console draws the kept answer there, before that answer's tips and feedback. Messages not yet
 * acknowledged are sent again with their ids; the server applies an id once.
 *
 * sessionStorage, not localStorage: the resume token is a credential, and it should not outlive
 * the tab or be shared with other tabs of the same interview (a resume closes the other socket).
 */
export interface SentMessage {
  type: string;
  id: string;
  [field: string]: unknown;
}

export interface SavedSession {
  sessionId: string;
  resumeToken: string;
  /** Sent messages with an id, in the order they were made. */
  sent: SentMessage[];
  /** Ids the server acknowledged. */
  acknowledged: string[];
}

const KEY = "interview.session";
/** Far above a session's message count (the answer limit is 50); a bound so a runaway cannot fill the quota. */
const MAX_SENT = 500;

export function loadSavedSession(storage: Storage = sessionStorage): SavedSession | null {
  try {
    const raw = storage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<SavedSession>;
    if (typeof value.sessionId !== "string" || typeof value.resumeToken !== "string" || !Array.isArray(value.sent) || !Array.isArray(value.acknowledged)) {
      storage.removeItem(KEY);
      return null;
    }
    const sent = value.sent.filter((m): m is SentMessage => typeof m === "object" && m !== null && typeof m.type === "string" && typeof m.id === "string");
    return { sessionId: value.sessionId, resumeToken: value.resumeToken, sent, acknowledged: value.acknowledged.filter((id) => typeof id === "string") };
  } catch {
    // Private mode or a corrupt entry: nothing to resume, which is the state before this existed.
    return null;
  }
}

export class SessionKeeper {
  private saved: SavedSession | null;

  constructor(private readonly storage: Storage = sessionStorage) {
    this.saved = loadSavedSession(storage);
  }

  /** The session a reload should resume, if any. */
  get resumable(): SavedSession | null {
    return this.saved;
  }

  started(sessionId: string, resumeToken: string): void {
    if (this.saved?.sessionId === sessionId) return;
    this.saved = { sessionId, resumeToken, sent: [], acknowledged: [] };
    this.write();
  }

  sent(message: SentMessage): void {
    if (!this.saved || this.saved.sent.some((m) => m.id === message.id)) return;
    this.saved.sent.push(message);
    if (this.saved.sent.length > MAX_SENT) this.saved.sent.splice(0, this.saved.sent.length - MAX_SENT);
    this.write();
  }

  acknowledged(id: string): SentMessage | null {
    if (!this.saved) return null;
    if (!this.saved.acknowledged.includes(id)) {
      this.saved.acknowledged.push(id);
      this.write();
    }
    return this.saved.sent.find((m) => m.id === id) ?? null;
  }

  /** Sent, never acknowledged: to send again after a reload. */
  unacknowledged(): SentMessage[] {
    if (!this.saved) return [];
    const acknowledged = new Set(this.saved.acknowledged);
    return this.saved.sent.filter((m) => !acknowledged.has(m.id));
  }

  /** The interview ended, was deleted or refuses to resume: a reload starts afresh. */
  forget(): void {
    this.saved = null;
    try {
      this.storage.removeItem(KEY);
    } catch {
      // Nothing kept means nothing to remove.
    }
  }

  private write(): void {
    try {
      this.storage.setItem(KEY, JSON.stringify(this.saved));
    } catch {
      // Quota or private mode: the interview goes on; only a reload would lose it, as before.
    }
  }
}
