/**
 * `/metrics/summary` assembly from per-session aggregates: the seed's pooled means and
 * counts, the added latency deltas, and the per-session statistics (each session weighs
 * once) checked against the scipy reference.
 */
import { describe, expect, it } from "vitest";
import type { SessionGroupAggregate } from "../../src/storage/metrics-aggregates.ts";
import { metricsSummary } from "../../src/stats/summary.ts";
import { WELCH } from "./reference-values.ts";

function agg(
  sessionId: string,
  group: string,
  sums: Record<string, [number, number]>,
  rows: Record<string, number>,
  sessionGroup: string = group,
): SessionGroupAggregate {
  return { sessionId, group, sessionGroup, sums, rows };
}

describe("metrics summary", () => {
  it("keeps the seed's keys with pooled means, and adds latency deltas", () => {
    const summary = metricsSummary([
      // control: one session with 3 answers (rate 100, 110, 120), one with 1 answer (rate 200)
      agg("c1", "control", { speaking_rate: [330, 3], fillers: [3, 3], confidence: [7, 2], stress: [5, 2], latency_ms: [900, 2] }, { answers: 3, checkins: 2, latency: 2 }),
      agg("c2", "control", { speaking_rate: [200, 1], turn_latency_ms: [40, 2] }, { answers: 1, turn_latency: 2 }),
      agg("t1", "treatment", { speaking_rate: [150, 1], fillers: [0, 1], confidence: [4, 1], stress: [1, 1], latency_ms: [300, 1], stt_ms: [250, 1], turn_latency_ms: [30, 1] }, { answers: 1, checkins: 1, latency: 1, stt: 1, turn_latency: 1 }),
    ]);
    expect(Object.keys(summary.groups.control).slice(0, 12)).toEqual([
      "n_answers", "n_checkins", "n_latency", "n_stt", "avg_speaking_rate", "avg_pause_ratio", "avg_gaze",
      "avg_fillers", "avg_confidence", "avg_stress", "avg_latency_ms", "avg_stt_latency_ms",
    ]);
    expect(summary.groups.control).toEqual({
      n_answers: 4, n_checkins: 2, n_latency: 2, n_stt: 0,
      avg_speaking_rate: 132.5, avg_pause_ratio: null, avg_gaze: null, avg_fillers: 1,
      avg_confidence: 3.5, avg_stress: 2.5, avg_latency_ms: 450, avg_stt_latency_ms: null,
      n_sessions: 2, n_turn_latency: 2, avg_turn_latency_ms: 20, n_participants: 2,
    });
    expect(summary.delta).toEqual({
      speaking_rate: 17.5, pause_ratio: null, gaze: null, fillers: -1, confidence: 0.5, stress: -1.5,
      latency_ms: -150, stt_latency_ms: null, turn_latency_ms: 10,
    });
    // Per session, control's sessions weigh once each: (110 + 200) / 2.
    expect(summary.per_session.speaking_rate.control).toMatchObject({ n: 2, mean: 155 });
    expect(summary.per_session.speaking_rate.difference).toBe(-5);
    expect(summary.per_session.speaking_rate.welch).toBeNull(); // one treatment session
  });

  it("computes Welch's CI and Cohen's d over session means like scipy", () => {
    const c = WELCH[0];
    const aggregates = [
      ...c.treatment.map((v, i) => agg(`t${i}`, "treatment", { gaze: [v * 2, 2] }, { answers: 2 })),
      ...c.control.map((v, i) => agg(`c${i}`, "control", { gaze: [v, 1] }, { answers: 1 })),
    ];
    const gaze = metricsSummary(aggregates).per_session.gaze;
    expect(gaze.treatment.n).toBe(c.treatment.length);
    expect(gaze.difference!).toBeCloseTo(c.difference, 9);
    expect(gaze.welch!.df).toBeCloseTo(c.df, 9);
    expect(gaze.welch!.t).toBeCloseTo(c.t, 9);
    expect(gaze.welch!.p_value).toBeCloseTo(c.pValue, 9);
    expect(gaze.welch!.ci95[0]).toBeCloseTo(c.ci95[0], 9);
    expect(gaze.welch!.ci95[1]).toBeCloseTo(c.ci95[1], 9);
    expect(gaze.cohens_d!).toBeCloseTo(c.cohensD, 9);
  });

  it("keeps a session in its own arm when a check-in names the other group", () => {
    const summary = metricsSummary([
      // c1 is a control session that also sent one check-in naming treatment.
      agg("c1", "control", { confidence: [2, 1], stress: [8, 1] }, { checkins: 1 }),
      agg("c1", "treatment", { confidence: [6, 1], stress: [4, 1] }, { checkins: 1 }, "control"),
      agg("c2", "control", { confidence: [5, 1] }, { checkins: 1 }),
      agg("t1", "treatment", { confidence: [9, 1] }, { checkins: 1 }),
    ]);
    // The pooled seed keys count rows by their own group, as the seed does.
    expect(summary.groups.control).toMatchObject({ n_checkins: 2, avg_confidence: 3.5 });
    expect(summary.groups.treatment).toMatchObject({ n_checkins: 2, avg_confidence: 7.5 });
    // Sessions count once, in their own arm.
    expect(summary.groups.control.n_sessions).toBe(2);
    expect(summary.groups.treatment.n_sessions).toBe(1);
    // c1's mean is over both its check-ins, (2 + 6) / 2, and it is no treatment sample.
    expect(summary.per_session.confidence.control).toMatchObject({ n: 2, mean: 4.5 });
    expect(summary.per_session.confidence.treatment).toMatchObject({ n: 1, mean: 9 });
    expect(summary.per_session.stress.control).toMatchObject({ n: 1, mean: 6 });
    expect(summary.per_session.stress.treatment).toMatchObject({ n: 0, mean: null });
  });

  it("weighs each participant once per arm in per_participant, and counts and can leave out client-assigned sessions", () => {
    const withParticipant = (a: SessionGroupAggregate, participantId: string | null, groupAssignment = "server") => ({
      ...a,
      participantId,
      groupAssignment,
    });
    const aggregates = [
      // p1 (control) has two sessions with means 2 and 4; p2 (control) one with 9 (its arm its own choice).
      withParticipant(agg("s1", "control", { confidence: [2, 1] }, { checkins: 1 }), "p1"),
      withParticipant(agg("s2", "control", { confidence: [12, 3] }, { checkins: 3 }), "p1"),
      withParticipant(agg("s3", "control", { confidence: [9, 1] }, { checkins: 1 }), "p2", "client"),
      // Treatment: p3, and a session from before participants (its own participant).
      withParticipant(agg("s4", "treatment", { confidence: [5, 1] }, { checkins: 1 }), "p3", "admin"),
      withParticipant(agg("s5", "treatment", { confidence: [7, 1] }, { checkins: 1 }), null),
    ];
    const summary = metricsSummary(aggregates);
    expect(summary.groups.control).toMatchObject({ n_sessions: 3, n_participants: 2 });
    expect(summary.groups.treatment).toMatchObject({ n_sessions: 2, n_participants: 2 });
    // Per session: 2, 4, 9. Per participant: p1 over all its rows (14 / 4 = 3.5), and p2's 9.
    expect(summary.per_session.confidence.control).toMatchObject({ n: 3, mean: 5 });
    expect(summary.per_participant.confidence.control).toMatchObject({ n: 2, mean: 6.25 });
    expect(summary.per_participant.confidence.treatment).toMatchObject({ n: 2, mean: 6 });
    expect(summary.per_participant.confidence.welch).not.toBeNull();
    expect(summary.client_assigned).toEqual({ n_sessions: 1, n_participants: 1, excluded: false });
    const without = metricsSummary(aggregates, { excludeClientAssigned: true });
    expect(without.groups.control).toMatchObject({ n_sessions: 2, n_participants: 1, n_checkins: 4, avg_confidence: 3.5 });
    expect(without.per_participant.confidence.control).toMatchObject({ n: 1, mean: 3.5 });
    expect(without.client_assigned).toEqual({ n_sessions: 1, n_participants: 1, excluded: true });
  });

  it("reports nulls and zeros when there is no data", () => {
    const empty = metricsSummary([]);
    expect(empty.groups.control.n_participants).toBe(0);
    expect(empty.client_assigned).toEqual({ n_sessions: 0, n_participants: 0, excluded: false });
    expect(empty.groups.treatment.n_answers).toBe(0);
    expect(empty.groups.treatment.avg_gaze).toBeNull();
    expect(empty.delta.gaze).toBeNull();
    expect(empty.per_session.gaze).toEqual({
      control: { n: 0, mean: null, sd: null },
      treatment: { n: 0, mean: null, sd: null },
      difference: null,
      welch: null,
      cohens_d: null,
    });
  });
});
