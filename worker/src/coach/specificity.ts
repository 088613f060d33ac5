/**
 * Specificity: numbers (with the unit that follows), named systems, tools and people's roles,
 * and time frames, each with its span. A story with these is easy to believe.
 */
import { foundOf, phraseList, phraseRanges, type Token } from "./tokens.ts";
import type { Found, Specificity } from "./types.ts";

const NUMBER_WORDS = new Set([
  "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
  "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred",
  "thousand", "million", "billion", "half", "dozen", "double", "twice",
]);

const UNITS = new Set([
  "%", "percent", "per", "ms", "s", "sec", "seconds", "second", "minutes", "minute", "min", "hours", "hour", "days", "day",
  "weeks", "week", "months", "month", "quarters", "quarter", "years", "year", "x", "times", "k", "m", "gb", "mb", "tb",
  "rps", "qps", "users", "customers", "tickets", "requests", "engineers", "people", "teams", "services", "dollars",
  "euros", "pounds", "bugs", "errors", "lines", "releases", "leads", "clients", "countries", "flows", "sprints",
  "points", "thousand", "million", "billion", "hundred", "deploys", "nodes", "models", "percentage",
]);

/** Tools and systems written in lower case, or commonly so in transcripts. */
const TOOLS = phraseList([
  "postgres", "postgresql", "mysql", "redis", "kafka", "kubernetes", "docker", "terraform", "jenkins", "ansible",
  "graphql", "rest", "grpc", "react", "typescript", "python", "java", "go", "rust", "aws", "gcp", "azure", "s3",
  "dynamodb", "mongodb", "elasticsearch", "spark", "airflow", "xgboost", "pytorch", "tensorflow", "github actions",
  "playwright", "cdn", "sql", "lua", "helm", "argo cd", "a/b test", "feature flag", "load balancer", "cron job",
]);

const ROLES = phraseList([
  "product manager", "engineering manager", "tech lead", "team lead", "project lead", "on-call engineer", "designer",
  "senior designer", "director", "ceo", "cto", "vp", "manager", "architect", "data scientist", "analyst", "intern",
  "qa", "sre", "stakeholder", "stakeholders", "customer", "client", "lead", "mentor", "recruiter", "finance team",
  "support team", "sales team", "marketing team", "operations director", "product owner", "scrum master",
]);

const KNOWN_NAMES = [...TOOLS, ...ROLES];

/** Capitalised words that are not names: sentence openers, pronouns, months, days. */
const NOT_NAMES = new Set([
  "i", "i'm", "i've", "i'd", "i'll", "we", "our", "my", "the", "a", "an", "and", "but", "so", "then", "after", "before",
  "when", "at", "in", "on", "for", "with", "as", "it", "this", "that", "there", "they", "he", "she", "his", "her",
  "first", "next", "finally", "also", "one", "two", "during", "since", "within", "by", "from", "to", "of", "if",
  "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
  "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "okay", "ok", "yes", "no",
  "right", "well", "hmm", "um", "uh", "honestly", "basically", "actually", "last", "every", "now", "what", "how", "why",
]);

const TIME_FRAMES =
  /\b(?:(?:last|next|following|this|that|the same|every|each|per|a|one) (?:day|week|month|quarter|year|sprint|spring|summer|autumn|fall|winter|afternoon|morning|evening|night|weekend)|(?:in|during|since|by|until|from) (?:19|20)\d\d|(?:within|in|for|over|after|under|about|around|nearly|almost|another|the next|the first|the last)(?: (?:about|around|roughly|only|just|the))? (?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|a few|several|a couple of) (?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?|sprints?)|(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty) (?:seconds?|minutes?|hours?|days?|weeks?|months?|quarters?|years?) (?:ago|later|earlier|before|behind)|(?:daily|weekly|monthly|quarterly|yearly|overnight|fortnightly)|(?:19|20)\d\d)\b/giu;

export function specificity(text: string, ts: readonly Token[]): Specificity {
  return { numbers: numbers(text, ts), names: names(text, ts), timeFrames: timeFrames(text) };
}

function numbers(text: string, ts: readonly Token[]): Found[] {
  const out: Found[] = [];
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const isDigit = /^\d/u.test(t.word);
    if (!isDigit && !NUMBER_WORDS.has(t.word)) continue;
    // "N+1", "v2": part of a name, not a quantity.
    if (isDigit && /[\p{L}+]/u.test(text[t.from - 1] ?? "")) continue;
    let from = t.from;
    if (text[from - 1] === "$" || text[from - 1] === "€" || text[from - 1] === "£") from -= 1;
    let j = i;
    // "60 thousand dollars", "two hundred lines": number words chain.
    while (j + 1 < ts.length && (NUMBER_WORDS.has(ts[j + 1]!.word) || /^\d/u.test(ts[j + 1]!.word)) && ts[j + 1]!.from - ts[j]!.to <= 1) j++;
    let to = ts[j]!.to;
    if (text[to] === "%") to += 1;
    else if (j + 1 < ts.length && UNITS.has(ts[j + 1]!.word) && ts[j + 1]!.from - to <= 1) {
      j += 1;
      to = ts[j]!.to;
    }
    // A bare number word with no unit ("one of them") says nothing measurable.
    if (!isDigit && to === t.to && !/^(?:half|double|twice|dozen)$/u.test(t.word)) continue;
    out.push({ from, to, text: text.slice(from, to) });
    i = j;
  }
  return out;
}

function names(text: string, ts: readonly Token[]): Found[] {
  const ranges = phraseRanges(ts, KNOWN_NAMES);
  const inKnown = new Set<number>();
  for (const [i, j] of ranges) for (let k = i; k <= j; k++) inKnown.add(k);
  const out = ranges.map(([i, j]) => foundOf(text, ts, i, j));
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (inKnown.has(i) || NOT_NAMES.has(t.word)) continue;
    // Most words start with a lower-case ASCII letter and hold no digit: neither test below can
    // pass, and skipping their regular expressions halves this function's time.
    if (lowerAsciiWithoutDigit(t.raw)) continue;
    const capitalised = /^\p{Lu}/u.test(t.raw) && !sentenceStart(text, t.from);
    const acronym = /^(?:\p{Lu}{2,}\d*|\p{L}+\d+\p{L}*)$/u.test(t.raw) && !/^\d/u.test(t.raw);
    if (!capitalised && !acronym) continue;
    // Join a run of capitalised words ("GitHub Actions", "Argo CD").
    let j = i;
    while (j + 1 < ts.length && /^\p{Lu}/u.test(ts[j + 1]!.raw) && ts[j + 1]!.from - ts[j]!.to === 1 && !NOT_NAMES.has(ts[j + 1]!.word)) j++;
    out.push({ from: t.from, to: ts[j]!.to, text: text.slice(t.from, ts[j]!.to) });
    i = j;
  }
  return out.sort((a, b) => a.from - b.from);
}

function lowerAsciiWithoutDigit(raw: string): boolean {
  const first = raw.charCodeAt(0);
  if (first < 97 || first > 122) return false;
  for (let i = 1; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 48 && c <= 57) return false;
  }
  return true;
}

/** Whether the word at `at` opens a sentence: only whitespace back to the start or to . ! ? : ; a line break or a quote. */
function sentenceStart(text: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && /[ \t\r\f\v\u00a0]/u.test(text[i]!)) i--;
  return i < 0 || /[.!?:;\n"“]/u.test(text[i]!);
}

function timeFrames(text: string): Found[] {
  return [...text.matchAll(TIME_FRAMES)].map((m) => ({ from: m.index, to: m.index + m[0].length, text: m[0] }));
}
