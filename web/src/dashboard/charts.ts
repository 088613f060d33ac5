/**
 * The dashboard's charts, on Chart.js (canvas, tree-shaken to the bar and line parts used):
 * per metric, each arm's mean with its 95% CI as an interval bar; Cohen's d per metric on one
 * axis; a session's latencies per turn by stage.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = "#1b1f24";
// Charts draw once: no animation, so what is shown (and screenshotted) is final at once.
Chart.defaults.animation = false;

const CONTROL = "#5b6b7f";
const TREATMENT = "#b3541e";

const charts = new Map<HTMLCanvasElement, Chart>();

function draw(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  charts.get(canvas)?.destroy();
  const chart = new Chart(canvas, config);
  charts.set(canvas, chart);
  return chart;
}

export interface ArmInterval {
  mean: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

/** Control and treatment: the mean as a point, the 95% CI as a thin bar across it. */
export function drawArmIntervals(canvas: HTMLCanvasElement, metric: string, control: ArmInterval, treatment: ArmInterval): void {
  const interval = (a: ArmInterval) => (a.low !== null && a.high !== null ? [a.low, a.high] : null);
  draw(canvas, {
    type: "bar",
    data: {
      labels: [`control (n=${control.n})`, `treatment (n=${treatment.n})`],
      datasets: [
        {
          type: "bar",
          label: "95% CI",
          data: [interval(control), interval(treatment)] as unknown as number[],
          backgroundColor: [CONTROL, TREATMENT],
          barThickness: 6,
          grouped: false,
        },
        {
          type: "line",
          label: "mean",
          data: [control.mean, treatment.mean],
          showLine: false,
          pointRadius: 7,
          pointHoverRadius: 8,
          pointStyle: "rectRot",
          pointBackgroundColor: [CONTROL, TREATMENT],
          pointBorderColor: "#1b1f24",
        },
      ],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { enabled: true } },
      scales: { x: { title: { display: true, text: metric } }, y: { grid: { display: false } } },
    },
  });
}

/** Cohen's d per metric, one bar each, on one axis (positive: treatment higher). */
export function drawEffectSizes(canvas: HTMLCanvasElement, effects: { metric: string; d: number | null }[]): void {
  draw(canvas, {
    type: "bar",
    data: {
      labels: effects.map((e) => e.metric),
      datasets: [
        {
          label: "Cohen's d",
          data: effects.map((e) => e.d),
          backgroundColor: effects.map((e) => ((e.d ?? 0) >= 0 ? TREATMENT : CONTROL)),
        },
      ],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { x: { title: { display: true, text: "Cohen's d (0.2 small, 0.5 medium, 0.8 large)" } } },
    },
  });
}

/** Latency per turn, one bar series per stage (turn_latency, model calls by purpose, speech, the client's own). */
export function drawTimeline(canvas: HTMLCanvasElement, turns: number[], stages: { stage: string; values: (number | null)[] }[]): void {
  const palette = ["#0b5cad", "#b3541e", "#1d6b33", "#6a3d9a", "#a4161a", "#5b6b7f", "#8a6d00"];
  draw(canvas, {
    type: "bar",
    data: {
      labels: turns.map((t) => `turn ${t}`),
      datasets: stages.map((s, i) => ({ label: s.stage, data: s.values, backgroundColor: palette[i % palette.length] })),
    },
    options: {
      maintainAspectRatio: false,
      plugins: { legend: { position: "bottom" } },
      scales: { y: { title: { display: true, text: "ms" }, beginAtZero: true } },
    },
  });
}
