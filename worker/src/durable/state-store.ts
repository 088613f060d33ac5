/**
 * The interview's state in the object's storage, written by what changed. The report's
 * per-answer scores (about 600 bytes each, up to 50) are most of a long session's state and
 * change once per answer, so each lives under its own key, written when its answer is coached
 * (and again if a rubric changes it); the rest of the state, a few KB, is one key. Rewriting
 * the whole state every turn made a turn's write grow with the session (README, Design:
 * "State by what changed").
 *
 * Everything is written inside the caller's transaction, with the turn's journal row.
 */
import type { AnswerScore, InterviewState } from "../engine/types.ts";

const STATE_KEY = "state";
const SCORE_PREFIX = "score:";

/** Turn numbers padded so the keys list in turn order. */
function scoreKey(turn: number): string {
  return `${SCORE_PREFIX}${String(turn).padStart(6, "0")}`;
}

/** One commit's writes: `null` parts are unchanged. */
export interface StateWrite {
  core: string | null;
  put: { turn: number; score: AnswerScore; json: string }[];
  delete: number[];
}

export class StateStore {
  /** The state without its scores, as stored (objects from before this layout: the whole state, or the object itself). */
  private core: string | InterviewState | null = null;
  /** Each stored score by turn, with the object it was read or written as (unchanged objects are not serialised again). */
  private scores = new Map<number, { score: AnswerScore; json: string }>();

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Reads the stored state (null when there is none). */
  load(): InterviewState | null {
    this.core = this.storage.kv.get<string | InterviewState>(STATE_KEY) ?? null;
    this.scores.clear();
    for (const [key, json] of this.storage.kv.list<string>({ prefix: SCORE_PREFIX })) {
      const score = JSON.parse(json) as AnswerScore;
      this.scores.set(Number(key.slice(SCORE_PREFIX.length)), { score, json });
    }
    if (this.core === null) return null;
    const state = typeof this.core === "string" ? (JSON.parse(this.core) as InterviewState) : this.core;
    if (state.session && this.scores.size > 0) state.session.scores = [...this.scores.values()].map((s) => s.score);
    return state;
  }

  /** What storing `state` writes, or null when storage already holds it. */
  plan(state: InterviewState): StateWrite | null {
    const scores = state.session?.scores ?? [];
    const turns = new Set(scores.map((s) => s.turn));
    // Scores are keyed by turn; a state whose turns repeat (none the engine makes) is stored whole.
    const split = turns.size === scores.length;
    const core = JSON.stringify(split && state.session?.scores ? { ...state, session: { ...state.session, scores: undefined } } : state);
    const write: StateWrite = { core: core === this.core ? null : core, put: [], delete: [] };
    if (split) {
      for (const score of scores) {
        const stored = this.scores.get(score.turn);
        if (stored?.score === score) continue;
        const json = JSON.stringify(score);
        if (stored?.json === json) continue;
        write.put.push({ turn: score.turn, score, json });
      }
    }
    for (const turn of this.scores.keys()) if (!split || !turns.has(turn)) write.delete.push(turn);
    return write.core === null && write.put.length === 0 && write.delete.length === 0 ? null : write;
  }

  /** Writes a plan; call inside the commit's transaction, and `reload` if it rolls back. */
  write(write: StateWrite): void {
    if (write.core !== null) {
      this.storage.kv.put(STATE_KEY, write.core);
      this.core = write.core;
    }
    for (const { turn, score, json } of write.put) {
      this.storage.kv.put(scoreKey(turn), json);
      this.scores.set(turn, { score, json });
    }
    for (const turn of write.delete) {
      this.storage.kv.delete(scoreKey(turn));
      this.scores.delete(turn);
    }
  }

  /** After a transaction rolled back: what storage holds, not what this object wrote. */
  reload(): void {
    this.load();
  }

  /** Deletes the state and every score. */
  clear(): void {
    this.storage.kv.delete(STATE_KEY);
    for (const turn of this.scores.keys()) this.storage.kv.delete(scoreKey(turn));
    this.core = null;
    this.scores.clear();
  }
}
