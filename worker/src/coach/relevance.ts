/**
 * Relevance to the question asked: the question's key words (its nouns and verbs, without
 * the interview's framing words such as "tell me about a time"), and which of them the answer
 * takes up, matched on a crude stem so "disagreed" ties to "disagree".
 */
import { stem, tokens, type Token } from "./tokens.ts";
import type { Found, Relevance } from "./types.ts";

const FRAME = new Set([
  "tell", "me", "about", "a", "an", "the", "time", "you", "your", "yourself", "how", "what", "which", "why", "when", "where", "who",
  "would", "did", "do", "does", "you'd", "describe", "walk", "through", "give", "one", "some", "of", "to", "and", "or", "in", "on",
  "at", "for", "with", "that", "this", "it", "is", "was", "were", "are", "be", "been", "i", "we", "my", "after", "afterwards",
  "had", "have", "has", "can", "could", "think", "any", "if", "its", "there", "them", "they", "most", "next", "out", "up", "did",
  "go", "turn", "way", "work", "worked", "example", "situation", "more", "than", "from", "by", "as", "so", "both", "each", "every",
  "very", "make", "made", "get", "got", "do", "what's", "ever", "into", "over", "under", "lean", "kind", "things", "thing",
  "sixty", "seconds", "about", "whole", "start", "finish", "hardest", "proud",
]);

/**
 * Words an answer uses for the same idea as the question ("fixed" for "resolve"); a few
 * groups that interview questions lean on, matched by stem like everything else.
 */
const SAME_IDEA: readonly (readonly string[])[] = [
  ["bug", "issue", "error", "defect", "incident", "outage", "crash", "leak", "timeout", "timing", "failure", "failing", "failed"],
  ["fix", "fixed", "resolve", "resolved", "solve", "solved", "patch", "replaced", "repair", "rolled"],
  ["caught", "found", "noticed", "detected", "spotted", "discovered", "profiled", "alert"],
  ["shipped", "released", "launched", "deployed", "deploy", "rollout", "production"],
  ["disagreed", "disagree", "disagreement", "argue", "argued", "conflict", "agree", "debate"],
  ["teammate", "colleague", "coworker", "designer", "engineer", "developer", "peer"],
  ["conflict", "fighting", "tension", "escalated", "upset", "argument"],
  ["stakeholder", "sales", "marketing", "finance", "support", "client", "customer", "director", "leadership"],
  ["mentored", "mentor", "coached", "coach", "paired", "taught", "junior", "mentee", "graduate", "intern"],
  ["model", "trained", "classifier", "xgboost", "predict", "prediction", "auc", "accuracy"],
  ["drift", "distribution", "distributions", "monitor", "monitoring", "shift"],
  ["evaluate", "evaluated", "holdout", "held-out", "test", "metric", "validation", "auc", "precision", "recall"],
  ["process", "workflow", "release", "deploy", "pipeline", "review", "checklist"],
  ["better", "improved", "faster", "dropped", "reduced", "cut", "saved"],
  ["tradeoff", "trade-off", "weigh", "weighed", "balance", "cost", "versus", "instead"],
  ["led", "lead", "coordinate", "coordinated", "convinced", "persuaded", "authority", "adopt", "adopted"],
  ["report", "reporting", "authority"],
  ["project", "migration", "launch", "rewrite"],
  ["track", "late", "behind", "delay", "delayed", "slip", "deadline"],
  ["plan", "replan", "re-planned", "re-plan", "scope", "estimate", "estimates", "milestone", "date"],
  ["feedback", "told", "review", "criticism"],
  ["decision", "decided", "chose", "choose", "choosing", "picked"],
  ["speed", "fast", "quick", "deadline", "date"],
  ["quality", "tested", "tests", "testing", "bugs", "reliable"],
  ["fell", "short", "mistake", "failed", "fault", "forgot", "missed", "underestimated"],
  ["incomplete", "uncertain", "unknown", "estimate", "scenarios", "assumption"],
  ["design", "architecture", "store", "database", "cache", "queue", "api", "service", "shard", "partition"],
  ["url", "link", "redirect", "short"],
  ["shortening", "short", "code", "hash", "base"],
  ["rate", "limit", "limiter", "throttle", "quota", "bucket", "429"],
  ["gateway", "api", "proxy", "nodes"],
  ["notification", "email", "sms", "push", "send", "sends"],
  ["retries", "retry", "backoff", "dead-letter"],
  ["duplicates", "duplicate", "idempotency", "idempotent", "dedupe", "once"],
  ["chat", "message", "messages", "websocket"],
  ["recommender", "recommendation", "ranking"],
  ["cold-start", "cold", "new"],
  ["ranking", "rank", "search", "relevance"],
];
const SAME_IDEA_STEMS: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const map = new Map<string, Set<string>>();
  for (const group of SAME_IDEA) {
    const stems = group.map(stem);
    for (const s of stems) map.set(s, new Set([...(map.get(s) ?? []), ...stems]));
  }
  return map;
})();

/** Questions come from packs and repeat across interviews: their key words are kept (bounded). */
const keywordsOf = new Map<string, readonly Token[]>();
const KEYWORDS_KEPT = 256;

export function questionKeywords(question: string): readonly Token[] {
  let keys = keywordsOf.get(question);
  if (!keys) {
    if (keywordsOf.size >= KEYWORDS_KEPT) keywordsOf.clear();
    keys = keywordsIn(question);
    keywordsOf.set(question, keys);
  }
  return keys;
}

function keywordsIn(question: string): Token[] {
  const seen = new Set<string>();
  const out: Token[] = [];
  for (const t of tokens(question)) {
    if (FRAME.has(t.word) || t.word.length < 3 || /^\d+$/u.test(t.word)) continue;
    const s = stem(t.word);
    if (seen.has(s)) continue;
    seen.add(s);
    out.push(t);
  }
  return out;
}

export function relevance(text: string, answerTokens: readonly Token[], question: string): Relevance {
  const keys = questionKeywords(question);
  // Each answer stem points at the question key words it stands for.
  const keyOf = new Map<string, Set<string>>();
  for (const k of keys) {
    const s = stem(k.word);
    for (const alike of [s, ...(SAME_IDEA_STEMS.get(s) ?? [])]) keyOf.set(alike, new Set([...(keyOf.get(alike) ?? []), s]));
  }
  const tiedStems = new Set<string>();
  const tied: Found[] = [];
  for (const t of answerTokens) {
    const hits = keyOf.get(stem(t.word));
    if (!hits) continue;
    for (const h of hits) tiedStems.add(h);
    tied.push({ from: t.from, to: t.to, text: text.slice(t.from, t.to) });
  }
  const score = keys.length === 0 ? 1 : Math.round((tiedStems.size / keys.length) * 100) / 100;
  return { score, keywords: keys.map((k) => k.raw), tied };
}
