/** What the console keeps of the interview, and how each part is drawn in the transcript list. */
import type { Tip } from "@interview/shared/protocol";
import { h } from "../common/dom.ts";

export interface AnsweredTurn {
  question: string;
  answer: string;
  tips: Tip[];
  /** The answer's text in the transcript, where the coach's evidence is marked. */
  answerText: HTMLElement;
  /** Where this answer's feedback (tips, evidence) is drawn. */
  feedbackSlot: HTMLElement;
}

export function interviewerItem(text: string, preface: string | null, label = "Interviewer"): HTMLLIElement {
  return h(
    "li",
    { class: "interviewer" },
    h("span", { class: "who" }, label),
    preface ? h("p", { class: "preface" }, preface) : null,
    h("p", { class: "text" }, text),
  );
}

export function candidateItem(answer: string): { item: HTMLLIElement; answerText: HTMLElement; feedbackSlot: HTMLElement } {
  const answerText = h("p", { class: "text" }, answer);
  const feedbackSlot = h("div", { class: "feedback" });
  const item = h("li", { class: "candidate" }, h("span", { class: "who" }, "You"), answerText, feedbackSlot);
  return { item, answerText, feedbackSlot };
}

export function tipsBlock(tips: Tip[]): HTMLElement {
  return h(
    "section",
    { class: "tips", "aria-label": "Tips on this answer" },
    h("h3", {}, "Tips"),
    h("ul", {}, ...tips.map((tip) => h("li", {}, h("strong", {}, tip.summary), " ", tip.detail))),
  );
}

export function noteItem(text: string): HTMLLIElement {
  return h("li", { class: "system" }, text);
}
