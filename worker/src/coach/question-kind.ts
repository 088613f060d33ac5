/** What kind of answer a question asks for: a story (STAR) or a design or plan. */

/** "How would you design…", "What do you do in the next 48 hours?": asks for a plan, not a story. */
export function isHypothetical(question: string): boolean {
  return /\b(?:how|what|where|when|which|why) (?:would|do|will|should|could|can) you\b|\bif you (?:had|were)\b/iu.test(question) &&
    !/\b(?:tell me about|describe a|walk me through|a time)\b/iu.test(question);
}
