/**
 * STAR coverage: which sentences of the answer give the situation, the task, the actions and
 * the result. Each part is present when at least one sentence evidences it; the evidence is
 * those sentences' spans. The rules are cue phrases (README, Coaching) measured against a
 * labelled set of answers by `npm run bench` (bench/coach-star.bench.ts).
 */
import { actionsIn } from "./actions.ts";
import type { Sentence } from "./tokens.ts";
import type { Span, StarCoverage, StarPart } from "./types.ts";

const ORG_NOUNS =
  "company|startup|job|team|bank|firm|agency|employer|client|project|work|role|position|organisation|organization|department|retailer|university|hospital|office|sprint|launch|internship|platform";

/** Where and when: "at my last company", "in 2022", "last year", "when I was". */
const SITUATION_ANCHOR = new RegExp(
  [
    `\\b(?:at|in|for|with|on) (?:my|our|a|an|one|the|this|that)(?: [\\w-]+){0,3}? (?:${ORG_NOUNS})s?\\b`,
    `\\b(?:last|this past|earlier this) (?:year|month|week|quarter|spring|summer|autumn|fall|winter)\\b`,
    "\\b(?:in|back in|during) (?:19|20)\\d\\d\\b",
    "\\b(?:\\w+ )?(?:years?|months?|weeks?) ago\\b",
    "\\bwhen (?:i|we) (?:was|were|joined|started)\\b",
    "\\b(?:one time|once|at the time|back then|at one point|during (?:a|an|the|my|our))\\b",
    `\\bour (?:${ORG_NOUNS})\\b`,
    `\\b(?:one|a) (?:${ORG_NOUNS}|feature)(?: i| we)? (?:worked|was)\\b`,
  ].join("|"),
  "u",
);

/** A state of affairs before anything was done: "we had", "our checkout was timing out". */
const SITUATION_STATE =
  /\b(?:we had|there (?:was|were)|(?:was|were) (?:late|slow|failing|broken|behind|giving|losing|fighting|struggling|making|taking|timing)|(?:kept|started|began) \w+ing|(?:took|failed|flagged|reached|sat|crashed)\b|wanted|disagreed|(?:were|are) not agree|was a problem)/u;

/** The goal, the problem to solve, the speaker's responsibility. */
const TASK =
  /\b(?:(?:my|our|the|his|her) (?:main |first |only )?(?:goal|job|task|aim|objective|responsibility|mission|brief|challenge)(?: here)? (?:was|is|were)\b|(?:i|we) (?:was|were) (?:asked|responsible|given|tasked|assigned|hired|brought in)\b|(?:was|were) (?:asked|tasked) to\b|(?:i|we) (?:had|needed|need|have) (?:to|us to|\w+ teams? to)\b|(?:i|we) (?:need|needed) (?:predict|find|build|decide)\b|(?:i|we) must\b|it was (?:on me|my job|my responsibility|up to me)\b|as (?:the |a |an )?(?:[\w-]+ ){0,2}(?:owner|manager|lead|engineer|on-call|pm|director|mentor|architect)\b,|give me (?:the )?task|gave me (?:the )?(?:task|job)|given the task)/u;

/** What came of it: change, completion, consequence, lesson. */
const RESULT =
  /\b(?:as a result|result(?:ed|s)? (?:in|was)|in the end|eventually|ended up|since then|after (?:that|this|the switch|kafka)|by the end|within \w+|now\b|(?:a|one|two|three) (?:year|month|week|day)s? later|the outcome|dropped|fell|falls?|falling|rose|increased|decreased|improved|reduced|halved|doubled|tripled|saved|grew|went (?:up|down|from)|came (?:down|back)|going down|disappear\w*|stopped|shrank|sped up|lowered|cut (?:\w+ ){0,3}(?:in half|by|from|to)|(?:it|that|this) worked|shipped|launched|delivered|released|signed|adopted|accepted|agreed|renewed|finished|finishing|completed|caught|won|(?:was|were) cancelled|(?:was|were|is|are) (?:better|faster|happier|stable|more stable|fixed|solved|resolved|down)|on time|without (?:a|any) (?:single )?(?:error|repeat|problem|manual correction|escalation)s?|no more|learned|learnt|(?:is|are) using|(?:went|go) down|moved|helps|the site went down|keeps? the limit)/u;

export function starCoverage(text: string, all: Sentence[]): StarCoverage {
  const evidence: Record<StarPart, Span[]> = { situation: [], task: [], action: [], result: [] };
  let sawAction = false;
  all.forEach((sentence, index) => {
    const lower = text.slice(sentence.from, sentence.to).toLowerCase().replace(/[\u2018\u2019\u02bc]/gu, "'");
    const span = { from: sentence.from, to: sentence.to };
    const acts = actionsIn(sentence);
    const isTask = TASK.test(lower);
    const before = !sawAction || index === 0;
    if (SITUATION_ANCHOR.test(lower) || (before && !isTask && SITUATION_STATE.test(lower))) evidence.situation.push(span);
    if (isTask) evidence.task.push(span);
    if (acts.length > 0) {
      evidence.action.push(span);
      sawAction = true;
    }
    if (RESULT.test(lower)) evidence.result.push(span);
  });
  const part = (p: StarPart) => ({ present: evidence[p].length > 0, evidence: evidence[p] });
  return { situation: part("situation"), task: part("task"), action: part("action"), result: part("result") };
}
