/** The control-vs-treatment section: `/metrics/summary` with the filters, drawn as charts and a table. */
import type { MetricComparison, MetricName, MetricsSummary } from "../../../worker/src/stats/summary.ts";
import { studentTQuantile } from "../../../worker/src/stats/student-t.ts";
import { h } from "../common/dom.ts";
import { adminFetch } from "./admin-api.ts";
import { drawArmIntervals, drawEffectSizes, type ArmInterval } from "./charts.ts";

export const METRIC_LABELS: Record<MetricName, string> = {
  speaking_rate: "Speaking rate (words/min)",
  pause_ratio: "Pause ratio (0–1)",
  gaze: "Gaze (0–100)",
  fillers: "Fillers per answer",
  confidence: "Confidence (0–10)",
  stress: "Stress (0–10)",
  latency_ms: "Candidate's wait for tips (ms)",
  stt_latency_ms: "Speech-to-text (ms)",
  turn_latency_ms: "Server turn, answer to tips (ms)",
};

export interface StudyFilters {
  from: string;
  to: string;
  pack: string;
  style: string;
  excludeClientAssigned: boolean;
  unit: "per_session" | "per_participant";
}

/** The query string: `to` is inclusive here (a whole day) and exclusive on the route. */
export function summaryQuery(filters: StudyFilters): string {
  const text = filterParams(filters).toString();
  return text ? `?${text}` : "";
}

/** The filters as query parameters, shared by `/metrics/summary` and `/sessions`. */
export function filterParams(filters: StudyFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.from) query.set("from", filters.from);
  if (filters.to) {
    const next = new Date(`${filters.to}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query.set("to", next.toISOString().slice(0, 10));
  }
  if (filters.pack) query.set("pack", filters.pack);
  if (filters.style) query.set("style", filters.style);
  if (filters.excludeClientAssigned) query.set("excludeClientAssigned", "true");
  return query;
}

/** One arm's mean with its 95% t interval (none below two values). */
export function armInterval(sample: MetricComparison["control"]): ArmInterval {
  if (sample.mean === null) return { mean: null, low: null, high: null, n: sample.n };
  if (sample.sd === null || sample.n < 2) return { mean: sample.mean, low: null, high: null, n: sample.n };
  const half = studentTQuantile(0.975, sample.n - 1) * (sample.sd / Math.sqrt(sample.n));
  return { mean: sample.mean, low: sample.mean - half, high: sample.mean + half, n: sample.n };
}

const fmt = (n: number | null | undefined, digits = 2) => (n === null || n === undefined ? "–" : n.toFixed(digits));

export async function loadStudy(filters: StudyFilters, parts: { counts: HTMLElement; effect: HTMLCanvasElement; charts: HTMLElement; table: HTMLElement }): Promise<MetricsSummary> {
  const summary = await adminFetch<MetricsSummary>(`/metrics/summary${summaryQuery(filters)}`);
  const comparisons = summary[filters.unit];
  const { control, treatment } = summary.groups;
  parts.counts.textContent =
    `Control: ${control.n_sessions} sessions, ${control.n_participants} participants, ${control.n_answers} answers. ` +
    `Treatment: ${treatment.n_sessions} sessions, ${treatment.n_participants} participants, ${treatment.n_answers} answers.` +
    (summary.client_assigned.n_sessions > 0
      ? ` ${summary.client_assigned.n_sessions} sessions had a client-chosen arm${summary.client_assigned.excluded ? " (left out)" : ""}.`
      : "");
  const metrics = Object.keys(METRIC_LABELS) as MetricName[];
  drawEffectSizes(
    parts.effect,
    metrics.map((m) => ({ metric: METRIC_LABELS[m], d: comparisons[m].cohens_d })),
  );
  parts.charts.replaceChildren();
  for (const metric of metrics) {
    const comparison = comparisons[metric];
    if (comparison.control.n === 0 && comparison.treatment.n === 0) continue;
    const canvas = h("canvas", { role: "img", "aria-label": `${METRIC_LABELS[metric]}: control and treatment means with 95% CIs` });
    const welch = comparison.welch;
    parts.charts.append(
      h(
        "div",
        { class: "chart-card", "data-metric": metric },
        h("h3", {}, METRIC_LABELS[metric]),
        h("div", { class: "chart-box" }, canvas),
        h(
          "p",
          { class: "stat" },
          welch
            ? `Difference ${fmt(comparison.difference)} (95% CI ${fmt(welch.ci95[0])} to ${fmt(welch.ci95[1])}), p = ${fmt(welch.p_value, 3)}, d = ${fmt(comparison.cohens_d)}`
            : "Too few sessions in an arm for a test (two or more each).",
        ),
      ),
    );
    drawArmIntervals(canvas, METRIC_LABELS[metric], armInterval(comparison.control), armInterval(comparison.treatment));
  }
  if (parts.charts.childElementCount === 0) parts.charts.append(h("p", { class: "note" }, "No measurements yet for these filters."));
  parts.table.replaceChildren(metricsTable(comparisons));
  return summary;
}

function metricsTable(comparisons: Record<MetricName, MetricComparison>): HTMLTableElement {
  const head = ["Metric", "Control n", "Control mean", "Treatment n", "Treatment mean", "Difference", "95% CI", "p", "Cohen's d"];
  return h(
    "table",
    {},
    h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))),
    h(
      "tbody",
      {},
      ...(Object.keys(METRIC_LABELS) as MetricName[]).map((m) => {
        const c = comparisons[m];
        return h(
          "tr",
          {},
          h("th", { scope: "row" }, METRIC_LABELS[m]),
          h("td", {}, String(c.control.n)),
          h("td", {}, fmt(c.control.mean)),
          h("td", {}, String(c.treatment.n)),
          h("td", {}, fmt(c.treatment.mean)),
          h("td", {}, fmt(c.difference)),
          h("td", {}, c.welch ? `${fmt(c.welch.ci95[0])} to ${fmt(c.welch.ci95[1])}` : "–"),
          h("td", {}, c.welch ? fmt(c.welch.p_value, 3) : "–"),
          h("td", {}, fmt(c.cohens_d)),
        );
      }),
    ),
  );
}
