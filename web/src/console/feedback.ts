/**
 * The `feedback` message drawn on its answer (shared/src/feedback.ts): the answer's text with
 * the coach's evidence marked in it (each STAR part, numbers, names, time frames, hedges, "I"
 * statements, repeats), a checklist of what was found, and the delivery figures when the
 * answer was spoken. Spans index the answer as sent (`text.slice(from, to)`).
 */
import type { FeedbackContent, FeedbackDelivery, FeedbackOut } from "@interview/shared/feedback";
import { h } from "../common/dom.ts";

/** Evidence kinds, in the order a marked stretch is named when several overlap. */
const KINDS = {
  situation: "situation",
  task: "task",
  action: "action",
  result: "result",
  number: "number",
  name: "name",
  time: "time frame",
  singular: "\u201cI\u201d",
  hedge: "hedge",
  repeat: "repeated",
} as const;
type Kind = keyof typeof KINDS;

interface Span {
  from: number;
  to: number;
  kind: Kind;
}

export function evidenceSpans(content: FeedbackContent): Span[] {
  const spans: Span[] = [];
  const add = (kind: Kind, list: { from: number; to: number }[]) => list.forEach((s) => spans.push({ from: s.from, to: s.to, kind }));
  add("situation", content.star.situation.evidence);
  add("task", content.star.task.evidence);
  add("action", content.star.action.evidence);
  add("result", content.star.result.evidence);
  add("number", content.specificity.numbers);
  add("name", content.specificity.names);
  add("time", content.specificity.timeFrames);
  add("singular", content.ownership.singular);
  add("hedge", content.hedges);
  for (const repeat of content.repeats) add("repeat", repeat.spans);
  return spans;
}

/** The answer as text and <mark>s: each stretch covered by evidence is marked with every kind that covers it. */
export function markedAnswer(answer: string, spans: Span[]): Node[] {
  const order = Object.keys(KINDS) as Kind[];
  const cover: Set<Kind>[] = Array.from({ length: answer.length }, () => new Set<Kind>());
  for (const span of spans) {
    for (let i = Math.max(0, span.from); i < Math.min(answer.length, span.to); i++) cover[i]!.add(span.kind);
  }
  const nodes: Node[] = [];
  let start = 0;
  const key = (i: number) => order.filter((k) => cover[i]!.has(k)).join(" ");
  for (let i = 1; i <= answer.length; i++) {
    if (i < answer.length && key(i) === key(start)) continue;
    const text = answer.slice(start, i);
    const kinds = key(start);
    if (kinds === "") nodes.push(document.createTextNode(text));
    else {
      const names = kinds.split(" ").map((k) => KINDS[k as Kind]);
      nodes.push(h("mark", { class: `evidence ${kinds.split(" ")[0]}`, "data-kinds": kinds, title: names.join(", ") }, text));
    }
    start = i;
  }
  return nodes;
}

function checklist(content: FeedbackContent): HTMLElement {
  const part = (name: string, present: boolean) => h("li", { class: present ? "found" : "missing" }, `${present ? "\u2713" : "\u2717"} ${name}`);
  const listed = (label: string, found: { text: string }[]) =>
    found.length > 0 ? h("li", {}, `${label}: ${found.map((f) => f.text).join(", ")}`) : null;
  return h(
    "ul",
    { class: "checklist" },
    part("Situation", content.star.situation.present),
    part("Task", content.star.task.present),
    part("Action", content.star.action.present),
    part("Result", content.star.result.present),
    listed("Numbers", content.specificity.numbers),
    listed("Hedges", content.hedges),
    h("li", {}, `\u201cI\u201d ${content.ownership.singular.length}, \u201cwe\u201d ${content.ownership.plural.length}; ${content.words} words; relevance ${Math.round(content.relevance.score * 100)}%`),
  );
}

function deliveryFigures(delivery: FeedbackDelivery): HTMLElement {
  const row = (term: string, value: string) => [h("dt", {}, term), h("dd", {}, value)];
  return h(
    "dl",
    { class: "delivery" },
    ...row("Pace", `${Math.round(delivery.wpm)} words/min (${delivery.band}; conversational ${delivery.bands.slowBelow}\u2013${delivery.bands.fastAbove})`),
    ...row("Without pauses", `${Math.round(delivery.wpmExcludingPauses)} words/min`),
    ...row("Fillers", `${delivery.fillersPer100Words.toFixed(1)} per 100 words`),
    ...row("Longest pause", delivery.longestPause ? `${delivery.longestPause.seconds.toFixed(1)} s at ${delivery.longestPause.at.toFixed(1)} s` : "none"),
    ...row("Spoken", `${delivery.spokenSeconds.toFixed(1)} s`),
  );
}

/** Marks the evidence in the answer's text and adds the checklist (and delivery) under it. */
export function renderFeedback(feedback: FeedbackOut, answer: string, answerText: HTMLElement, slot: HTMLElement): void {
  answerText.replaceChildren(...markedAnswer(answer, evidenceSpans(feedback.content)));
  slot.querySelector(".coach")?.remove();
  slot.append(
    h(
      "section",
      { class: "coach", "aria-label": "What the coach found in this answer" },
      h("h3", {}, "What the coach found"),
      h("p", { class: "legend" }, "Marked in your answer: ", ...(["situation", "task", "action", "result", "number", "hedge"] as Kind[]).map((k) => h("mark", { class: `evidence ${k}` }, KINDS[k])), "."),
      checklist(feedback.content),
      feedback.delivery ? deliveryFigures(feedback.delivery) : null,
      feedback.delivery && feedback.delivery.pace.length > 0 ? paceChart(feedback.delivery) : null,
    ),
  );
}

/** The pace chart's box; Chart.js is fetched on first use (pace-chart.ts). */
function paceChart(delivery: FeedbackDelivery): HTMLElement {
  const canvas = h("canvas", { role: "img", "aria-label": `Pace through the answer, words per minute: ${delivery.pace.map((p) => Math.round(p.wpm)).join(", ")}` });
  void import("./pace-chart.ts").then(({ drawPace }) => drawPace(canvas, delivery));
  return h("div", { class: "chart-box pace-chart" }, canvas);
}
