/**
 * The issue's "done when": interviews played over the WebSocket show up completely in the
 * export (every answer with its metrics, every check-in from WebSocket and HTTP, every
 * telemetry event the spec lists) and in /metrics/summary with exactly the expected means.
 * One control and one treatment session, filtered by pack, style and a time window so other
 * tests' sessions do not count.
 */
import { describe, expect, it } from "vitest";
import { startInterview } from "./socket-client.ts";
import { asAdmin, bearer, call, postJson, replicated } from "./rest-client.ts";

interface Plan {
  group: "control" | "treatment";
  answers: { speakingRate: number; pauseRatio: number; gaze: number; fillers: number }[];
  wsCheckin: [number, number];
  httpCheckin: [number, number];
  latencyMs: number;
}

const PLANS: Plan[] = [
  {
    group: "control",
    answers: [
      { speakingRate: 100, pauseRatio: 0.2, gaze: 0.8, fillers: 1 },
      { speakingRate: 140, pauseRatio: 0.4, gaze: 0.6, fillers: 3 },
    ],
    wsCheckin: [3, 4],
    httpCheckin: [5, 2],
    latencyMs: 500,
  },
  {
    group: "treatment",
    answers: [
      { speakingRate: 150, pauseRatio: 0.1, gaze: 0.9, fillers: 0 },
      { speakingRate: 170, pauseRatio: 0.3, gaze: 0.7, fillers: 2 },
    ],
    wsCheckin: [6, 1],
    httpCheckin: [8, 3],
    latencyMs: 420.5,
  },
];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function play(plan: Plan) {
  const { socket, started } = await startInterview({ consent: true, group: plan.group, pack: "data_science_ml", style: "supportive", maxQuestions: 2 });
  const id = started.session_id;
  const token = started.resumeToken as string;
  socket.send({ type: "user_answer", answer: "I built a churn model that lifted retention 4% across 3 markets.", metrics: plan.answers[0] });
  await socket.collectUntil("interviewer_message");
  socket.send({ type: "telemetry", event: "latency", latencyMs: plan.latencyMs, data: { turn: 1 } });
  socket.send({ type: "checkin", confidence: plan.wsCheckin[0], stress: plan.wsCheckin[1] });
  await socket.next("checkin_logged");
  socket.send({ type: "user_clarification", question: "Do you mean offline or online evaluation?" });
  await socket.next("clarification");
  const http = await call("/checkins", postJson({ sessionId: id, confidence: plan.httpCheckin[0], stress: plan.httpCheckin[1] }, bearer(token)));
  expect(http.status).toBe(200);
  socket.send({ type: "user_answer", answer: "Offline first, then an A/B test over 2 weeks.", metrics: plan.answers[1] });
  await socket.collectUntil("session_ended");
  await socket.waitClosed();
  return { id, token };
}

describe("an interview end to end", () => {
  it("is complete in the export and exact in /metrics/summary", async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const played = [];
    for (const plan of PLANS) played.push({ plan, ...(await play(plan)) });

    for (const { plan, id, token } of played) {
      await replicated(token, id); // the HTTP check-in went through the object's outbox too
      const response = await asAdmin(`/export/session/${id}`);
      expect(response.status).toBe(200);
      const exported = (await response.json()) as Record<string, any>;
      expect(exported.session).toMatchObject({ id, group_name: plan.group, consented: true, style: "supportive" });
      expect(exported.answers.map((a: any) => ({ turn: a.turn, speakingRate: a.speaking_rate, pauseRatio: a.pause_ratio, gaze: a.gaze, fillers: a.fillers }))).toEqual(
        plan.answers.map((m, i) => ({ turn: i + 1, ...m })),
      );
      expect(exported.checkins.map((c: any) => [c.confidence, c.stress, c.group_name])).toEqual([
        [...plan.wsCheckin, plan.group],
        [...plan.httpCheckin, plan.group],
      ]);
      const events = exported.telemetry.map((t: any) => t.event_type);
      for (const event of ["session_meta", "question", "tips", "turn_latency", "latency", "clarification", "session_end"]) {
        expect(events, event).toContain(event);
      }
      expect(events[0]).toBe("session_meta");
      expect(events.at(-1)).toBe("session_end");
      expect(events.filter((e: string) => e === "tips")).toHaveLength(2);
      expect(events.filter((e: string) => e === "turn_latency")).toHaveLength(2);
      const latency = exported.telemetry.find((t: any) => t.event_type === "latency");
      expect(latency).toMatchObject({ latency_ms: plan.latencyMs, payload: { turn: 1 }, group_name: plan.group });
      const end = exported.telemetry.at(-1);
      expect(end.payload).toEqual({ turn: 2, reason: "max_questions" });
      // Ordered by time, ISO-8601 UTC.
      for (const list of [exported.answers, exported.checkins, exported.telemetry]) {
        const times = list.map((r: any) => r.created_at);
        expect(times.every((t: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(t))).toBe(true);
        expect([...times].sort()).toEqual(times);
      }
    }

    const to = new Date(Date.now() + 1000).toISOString();
    const response = await asAdmin(`/metrics/summary?from=${since}&to=${to}&pack=data_science_ml&style=supportive`);
    expect(response.status).toBe(200);
    const summary = (await response.json()) as Record<string, any>;
    for (const plan of PLANS) {
      const g = summary.groups[plan.group];
      expect(g).toMatchObject({ n_answers: 2, n_checkins: 2, n_latency: 1, n_stt: 0, n_sessions: 1, n_turn_latency: 2, avg_stt_latency_ms: null });
      expect(g.avg_speaking_rate).toBeCloseTo(mean(plan.answers.map((a) => a.speakingRate)), 12);
      expect(g.avg_pause_ratio).toBeCloseTo(mean(plan.answers.map((a) => a.pauseRatio)), 12);
      expect(g.avg_gaze).toBeCloseTo(mean(plan.answers.map((a) => a.gaze)), 12);
      expect(g.avg_fillers).toBeCloseTo(mean(plan.answers.map((a) => a.fillers)), 12);
      expect(g.avg_confidence).toBeCloseTo(mean([plan.wsCheckin[0], plan.httpCheckin[0]]), 12);
      expect(g.avg_stress).toBeCloseTo(mean([plan.wsCheckin[1], plan.httpCheckin[1]]), 12);
      expect(g.avg_latency_ms).toBeCloseTo(plan.latencyMs, 12);
      expect(g.avg_turn_latency_ms).toBeGreaterThanOrEqual(0);
      expect(summary.per_session.speaking_rate[plan.group]).toMatchObject({ n: 1, sd: null });
    }
    const [control, treatment] = PLANS as [Plan, Plan];
    expect(summary.delta.speaking_rate).toBeCloseTo(160 - 120, 12);
    expect(summary.delta.pause_ratio).toBeCloseTo(0.2 - 0.3, 12);
    expect(summary.delta.gaze).toBeCloseTo(0.8 - 0.7, 12);
    expect(summary.delta.fillers).toBeCloseTo(1 - 2, 12);
    expect(summary.delta.confidence).toBeCloseTo(7 - 4, 12);
    expect(summary.delta.stress).toBeCloseTo(2 - 3, 12);
    expect(summary.delta.latency_ms).toBeCloseTo(treatment.latencyMs - control.latencyMs, 12);
    expect(summary.delta.stt_latency_ms).toBeNull();
    expect(typeof summary.delta.turn_latency_ms).toBe("number");
    // One session a side: no test statistic yet.
    expect(summary.per_session.speaking_rate.welch).toBeNull();
    expect(summary.per_session.speaking_rate.difference).toBeCloseTo(40, 12);
  });
});
