/**
 * A spoken answer's pace as a small chart: words per minute in each stretch of the answer,
 * coloured by the delivery bands (slow, conversational, fast). Loaded only when a spoken
 * answer's feedback arrives, so typed interviews never fetch Chart.js.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";
import type { FeedbackDelivery } from "@interview/shared/feedback";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export function drawPace(canvas: HTMLCanvasElement, delivery: FeedbackDelivery): Chart {
  const colour = (wpm: number) => (wpm < delivery.bands.slowBelow ? "#5b6b7f" : wpm > delivery.bands.fastAbove ? "#a4161a" : "#1d6b33");
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: delivery.pace.map((p) => `${p.start.toFixed(0)}–${p.end.toFixed(0)} s`),
      datasets: [{ label: "words/min", data: delivery.pace.map((p) => p.wpm), backgroundColor: delivery.pace.map((p) => colour(p.wpm)) }],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "words/min" } } },
    },
  });
}
