/** The sessions list (`GET /sessions`) and one session's detail (`GET /export/session/:id`, comments). */
import type { SessionExport } from "../../../worker/src/storage/reads.ts";
import type { SessionListPage } from "../../../worker/src/storage/session-list.ts";
import type { TelemetryOut } from "../../../worker/src/storage/export-rows.ts";
import { h } from "../common/dom.ts";
import { adminFetch } from "./admin-api.ts";
import { drawTimeline } from "./charts.ts";
import type { FeedbackContent, FeedbackDelivery, ReportOut, RubricScores } from "@interview/shared/feedback";
import { renderFeedback } from "../console/feedback.ts";
import { renderRubric } from "../console/rubric.ts";
import { reportSection } from "../console/report.ts";

const fmt = (n: number | null, digits = 1) => (n === null ? "–" : n.toFixed(digits));

/**
 * A page of the sessions list (`GET /sessions` with `query`); `append` adds it under the rows
 * already shown ("Load more"), else it replaces them.
 */
export async function loadSessions(query: URLSearchParams, container: HTMLElement, open: (id: string) => void, append = false): Promise<SessionListPage> {
  const page = await adminFetch<SessionListPage>(`/sessions?${query.toString()}`);
  const body = container.querySelector<HTMLTableSectionElement>("#sessions-table tbody");
  const rows = page.items.map((s) => {
    const button = h("button", { type: "button", class: "secondary", "aria-label": `Open session ${s.id}` }, "Open");
    button.addEventListener("click", () => open(s.id));
    return h(
      "tr",
      { "data-session": s.id },
      h("td", {}, s.created_at.replace("T", " ").slice(0, 19)),
      h("td", {}, h("code", {}, s.id.slice(0, 12))),
      h("td", {}, `${s.group_name ?? "–"} (${s.group_assignment ?? "–"})`),
      h("td", {}, s.style),
      h("td", {}, s.consented ? "yes" : "no"),
      h("td", {}, String(s.n_answers)),
      h("td", {}, fmt(s.avg_speaking_rate)),
      h("td", {}, fmt(s.avg_pause_ratio, 2)),
      h("td", {}, fmt(s.avg_fillers)),
      h("td", {}, button),
    );
  });
  if (append && body) {
    body.append(...rows);
    return page;
  }
  if (page.items.length === 0) {
    container.replaceChildren(h("p", { class: "note" }, "No sessions match."));
    return page;
  }
  const head = ["Started (UTC)", "Session", "Arm", "Style", "Consent", "Answers", "Speaking rate", "Pause ratio", "Fillers", ""];
  container.replaceChildren(
    h("table", { id: "sessions-table" }, h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, ...rows)),
  );
  return page;
}

type Payload = Record<string, unknown>;
const payloadOf = (t: TelemetryOut): Payload => (t.payload && typeof t.payload === "object" ? (t.payload as Payload) : {});
const turnOf = (t: TelemetryOut): number => Number(payloadOf(t).turn ?? 0);

/** The session's transcript, rebuilt from its rows: each question, then its answer and that answer's tips. */
export function renderTranscript(exported: SessionExport, list: HTMLElement): void {
  const items: HTMLLIElement[] = [];
  const questions = exported.telemetry.filter((t) => t.event_type === "question");
  const answerTurnOf = (q: TelemetryOut) => Number(payloadOf(q).answer_turn ?? turnOf(q) + 1);
  questions.forEach((q, i) => {
    const p = payloadOf(q);
    const answerTurn = answerTurnOf(q);
    // A style switch asks a new question for the same answer: the answer goes after the last one asked.
    const answered = !questions.slice(i + 1).some((later) => answerTurnOf(later) === answerTurn);
    items.push(
      h(
        "li",
        { class: "interviewer" },
        h("span", { class: "who" }, `Interviewer (${String(p.style ?? "")}, ${String(p.source ?? "")})`),
        p.preface ? h("p", { class: "preface" }, String(p.preface)) : null,
        h("p", { class: "text" }, String(p.question ?? "")),
      ),
    );
    // Clarifications asked while this question was the current one (rows are in time order).
    const from = exported.telemetry.indexOf(q);
    const next = questions[i + 1];
    const until = next ? exported.telemetry.indexOf(next) : exported.telemetry.length;
    for (const c of exported.telemetry.slice(from, until).filter((t) => t.event_type === "clarification")) {
      items.push(h("li", { class: "system" }, `Asked to clarify: “${String(payloadOf(c).clarification ?? "")}”`));
    }
    for (const a of answered ? exported.answers.filter((row) => row.turn === answerTurn) : []) {
      const tips = exported.telemetry.filter((t) => t.event_type === "tips" && turnOf(t) === answerTurn);
      const metrics = [
        a.speaking_rate !== null ? `${fmt(a.speaking_rate)} wpm` : null,
        a.pause_ratio !== null ? `pauses ${fmt(a.pause_ratio, 2)}` : null,
        a.fillers !== null ? `${fmt(a.fillers, 0)} fillers` : null,
      ].filter(Boolean);
      const answerText = h("p", { class: "text" }, a.answer);
      const coach = h("div", {});
      // The coach's feedback on it (stored per answer): its evidence marked in the text, as the candidate saw it.
      const feedback = exported.feedback?.find((f) => f.turn === a.turn);
      if (feedback?.content) {
        const message = { type: "feedback" as const, turn: a.turn, content: feedback.content as FeedbackContent, delivery: (feedback.delivery ?? null) as FeedbackDelivery | null };
        renderFeedback(message, a.answer, answerText, coach);
      }
      // The model's rubric, when one came (stored on the same row as {model, scores}).
      const rubric = feedback?.rubric as { model?: unknown; scores?: unknown } | null | undefined;
      if (rubric && typeof rubric.model === "string" && rubric.scores && typeof rubric.scores === "object") {
        renderRubric({ scores: rubric.scores as RubricScores }, coach);
      }
      items.push(
        h(
          "li",
          { class: "candidate" },
          h("span", { class: "who" }, `Answer ${a.turn} (${a.style})${metrics.length ? ` · ${metrics.join(", ")}` : ""}`),
          answerText,
          coach,
          ...tips.map((t) => {
            const tipItems = (payloadOf(t).items as { summary?: string; detail?: string }[] | undefined) ?? [];
            return h(
              "section",
              { class: "tips", "aria-label": `Tips on answer ${a.turn}` },
              h("h4", {}, "Tips"),
              h("ul", {}, ...tipItems.map((tip) => h("li", {}, h("strong", {}, tip.summary ?? ""), " ", tip.detail ?? ""))),
            );
          }),
        ),
      );
    }
  });
  const end = exported.telemetry.find((t) => t.event_type === "session_end");
  if (end) items.push(h("li", { class: "system" }, `Ended: ${String(payloadOf(end).reason ?? "")}`));
  list.replaceChildren(...items);
  if (items.length === 0) list.append(h("li", { class: "system" }, "Nothing recorded (no consent, or nothing answered yet)."));
}

export function renderCheckins(exported: SessionExport, container: HTMLElement): void {
  if (exported.checkins.length === 0) {
    container.replaceChildren(h("p", { class: "note" }, "No check-ins."));
    return;
  }
  container.replaceChildren(
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "When (UTC)"), h("th", { scope: "col" }, "Confidence"), h("th", { scope: "col" }, "Stress"))),
      h(
        "tbody",
        {},
        ...exported.checkins.map((c) => h("tr", {}, h("td", {}, c.created_at.replace("T", " ").slice(0, 19)), h("td", {}, String(c.confidence)), h("td", {}, String(c.stress)))),
      ),
    ),
  );
}

/** Latency events by turn and stage: the server's turn, each model call by purpose, speech, the client's wait. */
export function renderTimeline(exported: SessionExport, canvas: HTMLCanvasElement): void {
  const stageOf = (t: TelemetryOut): string | null => {
    if (t.latency_ms === null) return null;
    if (t.event_type === "llm_call") return `model: ${String(payloadOf(t).purpose ?? "call")}`;
    if (t.event_type === "turn_latency") return "server turn (answer to tips)";
    if (t.event_type === "latency") return "candidate's wait (client)";
    if (t.event_type === "stt") return "speech-to-text";
    return t.event_type;
  };
  const byStage = new Map<string, Map<number, number>>();
  const turns = new Set<number>();
  const record = (stage: string, turn: number, ms: number) => {
    turns.add(turn);
    const perTurn = byStage.get(stage) ?? new Map<number, number>();
    perTurn.set(turn, (perTurn.get(turn) ?? 0) + ms);
    byStage.set(stage, perTurn);
  };
  for (const t of exported.telemetry) {
    // A spoken turn's timing is split by stage: end of speech to transcript, model, synthesis.
    const stages = t.event_type === "turn_timing" ? (payloadOf(t).stages as Record<string, number | null> | undefined) : undefined;
    if (stages) {
      for (const [name, ms] of Object.entries(stages)) if (typeof ms === "number") record(`voice: ${name}`, turnOf(t), ms);
      continue;
    }
    const stage = stageOf(t);
    if (stage && t.latency_ms !== null) record(stage, turnOf(t), t.latency_ms);
  }
  const sortedTurns = [...turns].sort((a, b) => a - b);
  drawTimeline(
    canvas,
    sortedTurns,
    [...byStage.entries()].map(([stage, perTurn]) => ({ stage, values: sortedTurns.map((turn) => perTurn.get(turn) ?? null) })),
  );
}

/** The session's coaching report (`GET /sessions/:id/report`); a session without one says so. */
export async function loadReport(sessionId: string, container: HTMLElement): Promise<void> {
  try {
    const report = await adminFetch<ReportOut>(`/sessions/${encodeURIComponent(sessionId)}/report`);
    container.replaceChildren(report.answers.length > 0 ? reportSection(report) : h("p", { class: "note" }, "No answers to report on."));
  } catch (error) {
    container.replaceChildren(h("p", { class: "note" }, `No report: ${error instanceof Error ? error.message : String(error)}`));
  }
}

export async function loadComments(sessionId: string, list: HTMLElement): Promise<void> {
  const { items } = await adminFetch<{ items: TelemetryOut[] }>(`/comments/${encodeURIComponent(sessionId)}`);
  list.replaceChildren(
    ...items.map((c) => {
      const p = payloadOf(c);
      return h("li", {}, `Turn ${String(p.turn ?? "?")}: ${String(p.text ?? p.comment ?? "")}`, p.author ? ` — ${String(p.author)}` : "", ` (${c.created_at.slice(0, 16).replace("T", " ")})`);
    }),
  );
  if (items.length === 0) list.append(h("li", { class: "note" }, "No comments yet."));
}
