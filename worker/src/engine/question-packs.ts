/**
 * The static question bank: four practice packs, two difficulties, six questions each
 * (topics from docs/seed-behaviour.md §2.3, wording our own). It is the last resort when there is
 * no custom question left and the LLM is unavailable, so every entry must stand on its own.
 */
import type { Difficulty, Pack } from "@interview/shared";

export type QuestionPack = Readonly<Record<Difficulty, readonly string[]>>;

const sweBehavioral: QuestionPack = {
  standard: [
    "Describe a tradeoff you had to make on a project. What did you weigh, and what did you pick?",
    "Tell me about a time you disagreed with a teammate. How did you work it out?",
    "Walk me through a piece of work you owned from start to finish. How did it turn out?",
    "Think of some critical feedback you received. What did you change afterwards?",
    "Tell me about a process on your team that you made better. What was different after?",
    "Which technical decision are you most proud of, and why?",
  ],
  hard: [
    "Can you give me one project in about sixty seconds: the problem, your role and a result you can measure?",
    "Tell me about a time you fell short. What did you fix in the following week?",
    "Describe a tradeoff you made under a tight deadline. What did you give up, and what did you protect?",
    "Tell me about a conflict that you yourself caused. How did you resolve it?",
    "What is the hardest bug you ever shipped, how was it caught, and how did you fix it?",
    "If you had to put numbers on your impact, what would they be, and how did you estimate them?",
  ],
};

const sweSystemDesign: QuestionPack = {
  standard: [
    "How would you design a URL shortening service?",
    "How would you design a real-time chat system, covering delivery, ordering and offline users?",
    "How would you build a rate limiter for an API gateway?",
    "How would you design a notification service that retries failed sends and avoids duplicates?",
    "How would you design uploads for very large files that can resume after a failure?",
    "How would you build a pipeline that computes product analytics metrics?",
  ],
  hard: [
    "How would you design feed ranking, and what latency targets and failure modes would you plan for?",
    "How would you isolate tenants and enforce quotas in a multi-tenant platform?",
    "Where would you trade cache speed against correctness, and how would you handle invalidation?",
    "How would you design a payments API so that every operation is idempotent?",
    "How would you build search autocomplete that is both fast and fresh?",
    "How would you design a logging pipeline that handles personal data and high-cardinality labels?",
  ],
};

const dataScienceMl: QuestionPack = {
  standard: [
    "Tell me about a model you deployed. How did you evaluate it and watch for drift?",
    "How would you design an A/B test for a change to a ranking algorithm?",
    "How do you handle sparse features with very high cardinality?",
    "A production model's performance has dropped. How would you debug it?",
    "How would you tackle the cold-start problem in a recommender system?",
    "When would you choose a simple baseline over a complex model, and why?",
  ],
  hard: [
    "How would you detect and prevent label leakage in a training pipeline?",
    "How would you handle feedback loops in a system that learns online?",
    "On heavily imbalanced data, how would you choose the precision and recall threshold?",
    "What would a monitoring suite for a production model include across drift, bias, latency and business KPIs?",
    "Your model is unfair to one subgroup. How would you measure and mitigate that?",
    "How would you build an evaluation harness for an LLM-based customer support agent?",
  ],
};

const leadership: QuestionPack = {
  standard: [
    "Tell me about a time you led people who did not report to you. How did you get them on board?",
    "Describe a project that went off track. How did you re-plan it?",
    "Tell me about a conflict between stakeholders that you had to resolve. What did you do?",
    "How have you mentored someone, and what changed for them?",
    "Tell me about a time you had to balance speed against quality. Which way did you lean?",
    "When did new information make you change your mind, and what did you do next?",
  ],
  hard: [
    "Your project is late and stakeholders are angry. What do you do in the next 48 hours?",
    "Tell me about a decision you had to make on incomplete data. How did you make it?",
    "You must cut scope by 40 percent. How do you decide what goes?",
    "Describe a failure you owned. What systemic change came out of it?",
    "How would you handle a high performer whose behaviour is toxic to the team?",
    "Tell me about a time you pushed back on leadership. What did it cost you?",
  ],
};

export const QUESTION_PACKS: Readonly<Record<Pack, QuestionPack>> = Object.freeze({
  swe_behavioral: sweBehavioral,
  swe_system_design: sweSystemDesign,
  data_science_ml: dataScienceMl,
  leadership,
});

/**
 * The fallback question for a pack. Callers pass the number of main questions asked so
 * far, not the turn: the seed indexed by turn, which only ever reached items 0, 2 and 4
 * because follow-ups fill the odd turns (docs/decisions.md, Fix).
 */
export function fallbackQuestion(pack: Pack, difficulty: Difficulty, index: number): string {
  const items = QUESTION_PACKS[pack][difficulty];
  const n = items.length;
  const i = Number.isInteger(index) ? ((index % n) + n) % n : 0;
  return items[i] ?? items[0] ?? "";
}
