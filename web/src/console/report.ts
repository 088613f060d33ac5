/**
 * The end-of-session view, printable: the coach's report (`report`, sent just before
 * `session_ended`: strengths, what to practise, what changed over the session, each answer's
 * scores), then every question, answer, tip and the coach's marks, and the check-ins.
 */
import type { ReportOut } from "@interview/shared/feedback";
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
  report: ReportOut | null;
}

const turnsText = (turns: number[]) => `(answer${turns.length === 1 ? "" : "s"} ${turns.join(", ")})`;

/** The coach's report as a section (also the dashboard's, from GET /sessions/:id/report). */
export function reportSection(report: ReportOut): HTMLElement {
  const points = (title: string, list: ReportOut["strengths"]) =>
    list.length > 0 ? [h("h3", {}, title), h("ul", { class: "report-points" }, ...list.map((p) => h("li", {}, `${p.text} ${turnsText(p.turns)}`)))] : [];
  const trends = (title: string, list: ReportOut["improved"]) =>
    list.length > 0 ? [h("h3", {}, title), h("ul", { class: "report-points" }, ...list.map((t) => h("li", {}, `${t.measure}: ${t.from} → ${t.to}`)))] : [];
  const head = ["Answer", "STAR parts", "Numbers", "“I” / “we”", "Hedges", "Relevance", "Words"];
  return h(
    "section",
    { class: "coach-report", "aria-labelledby": "coach-report-title" },
    h("h3", { id: "coach-report-title" }, "The coach's report"),
    ...points("Strengths", report.strengths),
    ...points("To practise", report.practise),
    ...trends("Better in the second half", report.improved),
    ...trends("Not better yet", report.notImproved),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          ...report.answers.map((a) =>
            h(
              "tr",
              {},
              h("th", { scope: "row" }, String(a.turn)),
              h("td", {}, `${a.starScore} of 4`),
              h("td", {}, a.numbers.join(", ") || "–"),
              h("td", {}, `${a.singular} / ${a.plural}`),
              h("td", {}, a.hedges.join(", ") || "–"),
              h("td", {}, `${Math.round(a.relevance * 100)}%`),
              h("td", {}, String(a.words)),
            ),
          ),
        ),
      ),
    ),
  );
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
    recap.report ? reportSection(recap.report) : "",
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
          // As in the transcript: the coach's marks in the text, then the tips and its findings.
          turn.answerText.cloneNode(true),
          turn.feedbackSlot.cloneNode(true),
        ),
      ),
    ),
    checkins,
  );
}
