/** The end-of-session view: every question, answer and tip, the check-ins, printable. */
import { h } from "../common/dom.ts";
import type { AnsweredTurn } from "./transcript.ts";

export interface SessionRecap {
  sessionId: string;
  endMessage: string;
  turns: AnsweredTurn[];
  checkins: { confidence: number; stress: number }[];
  styles: string[];
  startedAt: number;
  endedAt: number;
}

export function renderRecap(recap: SessionRecap, summary: HTMLElement, body: HTMLElement): void {
  const minutes = Math.max(1, Math.round((recap.endedAt - recap.startedAt) / 60_000));
  summary.textContent = `${recap.endMessage} ${recap.turns.length} answer${recap.turns.length === 1 ? "" : "s"} in about ${minutes} min; interviewer style: ${recap.styles.join(" → ")}. Session ${recap.sessionId}.`;
  const checkins =
    recap.checkins.length > 0
      ? h(
          "section",
          {},
          h("h3", {}, "Your check-ins"),
          h("ul", {}, ...recap.checkins.map((c) => h("li", {}, `Confidence ${c.confidence}/10, stress ${c.stress}/10`))),
        )
      : "";
  body.replaceChildren(
    h(
      "ol",
      { class: "recap" },
      ...recap.turns.map((turn, i) =>
        h(
          "li",
          {},
          h("h3", {}, `Question ${i + 1}`),
          h("p", { class: "question" }, turn.question),
          h("h4", {}, "Your answer"),
          h("p", {}, turn.answer || "(no answer)"),
          turn.tips.length > 0 ? h("h4", {}, "Tips") : null,
          turn.tips.length > 0 ? h("ul", {}, ...turn.tips.map((tip) => h("li", {}, h("strong", {}, tip.summary), " ", tip.detail))) : null,
          turn.feedbackSlot.childElementCount > 0 ? turn.feedbackSlot.cloneNode(true) : null,
        ),
      ),
    ),
    checkins,
  );
}
