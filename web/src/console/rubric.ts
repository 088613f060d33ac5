/**
 * The model's rubric for an answer (`feedback_rubric`, after the turn's `feedback` when the
 * server has a model and its reply held up): a 1-5 score per STAR part, relevance and
 * specificity, each with the answer's own words it rests on. A criterion the server dropped
 * (its quote was not in the answer) is shown as not scored, never guessed.
 */
// Types only: a value from shared/feedback would bring zod into the page's bundle.
import type { RubricCriterion } from "@interview/shared/feedback";
import { h } from "../common/dom.ts";

/** In the order shown (the protocol's order, RUBRIC_CRITERIA). */
const LABELS: Record<RubricCriterion, string> = {
  situation: "Situation",
  task: "Task",
  action: "Action",
  result: "Result",
  relevance: "Relevance",
  specificity: "Specificity",
};

/** A `feedback_rubric`, or the report's stored rubric of an answer (score and quote per criterion kept). */
export type ShownRubric = { scores: Partial<Record<RubricCriterion, { score: number; quote: string } | null>> };

export function renderRubric(rubric: ShownRubric, slot: HTMLElement): void {
  slot.querySelector(".rubric")?.remove();
  const rows = (Object.keys(LABELS) as RubricCriterion[]).map((criterion) => {
    const item = rubric.scores[criterion];
    return h(
      "li",
      { "data-criterion": criterion },
      h("strong", {}, `${LABELS[criterion]}: `),
      item ? h("span", { class: "score", "aria-label": `${item.score} out of 5` }, `${item.score}/5`) : h("span", { class: "score none" }, "not scored"),
      item ? h("q", {}, item.quote) : null,
    );
  });
  slot.append(
    h(
      "section",
      { class: "rubric", "aria-label": "The model's scores for this answer" },
      h("h3", {}, "The model's scores"),
      h("ul", {}, ...rows),
    ),
  );
}
