/**
 * Word lists behind the action rules: what follows "I" or "we" decides whether the clause
 * reports something done (an action) or a state, a feeling or a habit (not one).
 */

/** Verbs that report a state, an opinion or a wish, never something done. */
export const NON_ACTION_VERBS: ReadonlySet<string> = new Set([
  "am", "is", "are", "was", "were", "be", "been", "being",
  "think", "thought", "guess", "believe", "believed", "feel", "felt", "know", "knew", "suppose",
  "like", "liked", "love", "loved", "enjoy", "enjoyed", "prefer", "preferred", "hope", "hoped",
  "want", "wanted", "wish", "need", "needed", "remember", "remembered", "forget", "mean", "meant",
  "usually", "always", "often", "generally", "sometimes", "never", "get", "would", "could", "should",
  "used", "seem", "seemed", "describe", "consider", "say", "said", "agree", "disagree", "don't", "didn't",
  "can", "can't", "will", "won't", "may", "might", "must", "have", "has", "had", "do", "does",
]);

/** Adverbs that can sit between the subject and its verb without changing what it is. */
export const BETWEEN_SUBJECT_AND_VERB: ReadonlySet<string> = new Set([
  "then", "also", "first", "just", "quickly", "finally", "eventually", "personally", "immediately",
  "actually", "really", "still", "later", "myself", "ourselves", "both", "all", "only", "even", "next", "together", "instead", "simply", "carefully", "once",
]);

/** Adverbs that make a present-tense clause a habit or a general claim, not a story. */
export const HABITUAL: ReadonlySet<string> = new Set(["always", "usually", "often", "generally", "normally", "typically", "sometimes", "tend", "mostly", "never"]);

/** Irregular past forms (and past participles) of verbs that do something. */
export const IRREGULAR_PAST: ReadonlySet<string> = new Set([
  "built", "wrote", "written", "made", "took", "taken", "led", "ran", "set", "put", "got", "gave", "given",
  "brought", "chose", "chosen", "cut", "found", "met", "sent", "spent", "told", "kept", "did", "done",
  "went", "gone", "came", "began", "begun", "broke", "drew", "drove", "held", "left", "lost", "paid",
  "read", "saw", "seen", "sold", "split", "spoke", "stood", "taught", "won", "shut", "threw", "rebuilt",
  "rewrote", "rewritten", "froze", "frozen", "hid", "hidden", "shipped", "sat", "fought", "caught", "dug",
]);

/**
 * Base forms of verbs that do something: they count in the present tense too (non-native
 * speakers often tell a story in the present: "I write scripts with Jenkins"), after
 * "would"/"will" (hypothetical answers) and as the first word of a sentence ("Hash the URL").
 */
export const ACTION_BASE: ReadonlySet<string> = new Set([
  "add", "analyse", "analyze", "apologise", "apologize", "ask", "assign", "automate", "automatize", "build", "call", "cache",
  "change", "check", "choose", "clean", "collect", "compare", "coordinate", "create", "cut", "debug", "decide",
  "define", "delete", "deploy", "design", "document", "draft", "enable", "encode", "estimate", "explain", "find",
  "fix", "generate", "go", "hash", "help", "hire", "implement", "improve", "index", "interview", "introduce",
  "investigate", "launch", "lead", "log", "look", "make", "measure", "meet", "mentor", "merge", "migrate",
  "monitor", "move", "negotiate", "organise", "organize", "pair", "partition", "persuade", "pick", "plan",
  "profile", "propose", "prototype", "pull", "push", "put", "queue", "raise", "randomise", "randomize", "rebuild",
  "reduce", "refactor", "remove", "replace", "replicate", "retrain", "retry", "review", "rewrite", "roll", "run",
  "schedule", "send", "set", "shard", "ship", "show", "size", "split", "start", "stop", "store", "suggest", "switch",
  "take", "talk", "teach", "test", "track", "train", "try", "use", "validate", "write", "escalate", "measure",
  "sit", "speak", "present", "prioritise", "prioritize", "fight", "spend",
]);

/** Whether `word` is a past form that reports an action ("profiled", "wrote"). */
export function isPastAction(word: string): boolean {
  if (NON_ACTION_VERBS.has(word)) return false;
  if (IRREGULAR_PAST.has(word)) return true;
  return word.length > 4 && word.endsWith("ed");
}

/** Whether `word` is an -ing form of an action verb ("proposing", "checking"). */
export function isActionIng(word: string): boolean {
  if (!word.endsWith("ing") || word.length < 6) return false;
  const base = word.slice(0, -3);
  return ACTION_BASE.has(base) || ACTION_BASE.has(`${base}e`) || ACTION_BASE.has(base.slice(0, -1)) || base.length >= 4;
}
