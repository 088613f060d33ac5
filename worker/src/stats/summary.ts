/**
 * `/metrics/summary` from per-(session, group) sums and counts (repository
 * `metricsAggregates`). Pure: no database, no clock.
 *
 * - `groups.control|treatment` keep the seed's 12 keys with the seed's meaning (means pooled
 *   over rows: a session with more answers weighs more), plus `n_sessions`,
 *   `n_turn_latency` and `avg_turn_latency_ms`.
 * - `delta` keeps the seed's 6 keys (treatment − control of the pooled means) and adds the
 *   latency metrics: `latency_ms` (client), `stt_latency_ms` and `turn_latency_ms` (server).
 * - `per_session` is new: for each metric, one mean per session (each session weighs once),
 *   their count, mean and SD per group, and Welch's t-test of treatment − control with its
 *   95% CI, p-value and Cohen's d.
 * - `per_session` and `n_sessions` put a session in its own group (the session row's), so a
 *   check-in naming the other group cannot split one session across both arms and make the
 *   samples dependent. The pooled seed keys (`avg_*`, `n_answers`, `n_checkins`, …) count
 *   rows by their own group, as the seed does.
 * - Participants: the unit of randomisation. `n_participants` counts each participant once per
 *   arm, and `per_participant` is `per_session` with one mean per participant (over all rows of
 *   all its sessions), so a participant with many sessions weighs once. A session from before
 *   participants existed counts as a participant of its own.
 * - `client_assigned` counts the sessions (and participants) whose arm a client chose
 *   (`group_assignment = client`, only where `ALLOW_CLIENT_GROUP` is on); with
 *   `excludeClientAssigned` they are left out of everything else.
 */
import { GROUPS, type Group } from "@interview/shared";
import type { SessionGroupAggregate } from "../storage/metrics-aggregates.ts";
import { cohensD, summarize, welchTTest, type SampleSummary } from "./welch.ts";

/** Metric name in the response → sum key in the aggregates. */
const METRICS = {
  speaking_rate: "speaking_rate",
  pause_ratio: "pause_ratio",
  gaze: "gaze",
  fillers: "fillers",
  confidence: "confidence",
  stress: "stress",
  latency_ms: "latency_ms",
  stt_latency_ms: "stt_ms",
  turn_latency_ms: "turn_latency_ms",
} as const;
export type MetricName = keyof typeof METRICS;

export interface GroupSummary {
  n_answers: number;
  n_checkins: number;
  n_latency: number;
  n_stt: number;
  avg_speaking_rate: number | null;
  avg_pause_ratio: number | null;
  avg_gaze: number | null;
  avg_fillers: number | null;
  avg_confidence: number | null;
  avg_stress: number | null;
  avg_latency_ms: number | null;
  avg_stt_latency_ms: number | null;
  n_sessions: number;
  n_turn_latency: number;
  avg_turn_latency_ms: number | null;
  /** Distinct participants among the arm's sessions. */
  n_participants: number;
}

export interface MetricComparison {
  control: SampleSummary;
  treatment: SampleSummary;
  /** mean of treatment session means − mean of control session means. */
  difference: number | null;
  welch: { t: number; df: number; p_value: number; standard_error: number; ci95: [number, number] } | null;
  cohens_d: number | null;
}

export interface MetricsSummary {
  groups: Record<Group, GroupSummary>;
  delta: Record<
    "speaking_rate" | "pause_ratio" | "gaze" | "fillers" | "confidence" | "stress" | "latency_ms" | "stt_latency_ms" | "turn_latency_ms",
    number | null
  >;
  per_session: Record<MetricName, MetricComparison>;
  per_participant: Record<MetricName, MetricComparison>;
  /** Sessions (and their participants) in scope whose arm a client chose; `excluded` says whether they were left out above. */
  client_assigned: { n_sessions: number; n_participants: number; excluded: boolean };
}

export interface SummaryOptions {
  /** Leave out the sessions whose arm a client chose (`group_assignment = client`). */
  excludeClientAssigned?: boolean;
}

/** Who a session's rows belong to: its participant, or the session itself when it has none. */
function participantKey(a: SessionGroupAggregate): string {
  return a.participantId ? `p:${a.participantId}` : `s:${a.sessionId}`;
}

export function metricsSummary(all: readonly SessionGroupAggregate[], options: SummaryOptions = {}): MetricsSummary {
  const clientAssigned = all.filter((a) => a.groupAssignment === "client");
  const excluded = options.excludeClientAssigned === true;
  const aggregates = excluded ? all.filter((a) => a.groupAssignment !== "client") : all;
  const groups = {} as Record<Group, GroupSummary>;
  for (const group of GROUPS) {
    groups[group] = groupSummary(
      aggregates.filter((a) => a.group === group),
      aggregates.filter((a) => a.sessionGroup === group),
    );
  }
  const delta = (key: keyof GroupSummary): number | null => {
    const t = groups.treatment[key];
    const c = groups.control[key];
    return t === null || c === null ? null : t - c;
  };
  const perSession = {} as Record<MetricName, MetricComparison>;
  const perParticipant = {} as Record<MetricName, MetricComparison>;
  for (const metric of Object.keys(METRICS) as MetricName[]) {
    perSession[metric] = compare(aggregates, metric, (a) => a.sessionId);
    perParticipant[metric] = compare(aggregates, metric, participantKey);
  }
  return {
    groups,
    delta: {
      speaking_rate: delta("avg_speaking_rate"),
      pause_ratio: delta("avg_pause_ratio"),
      gaze: delta("avg_gaze"),
      fillers: delta("avg_fillers"),
      confidence: delta("avg_confidence"),
      stress: delta("avg_stress"),
      latency_ms: delta("avg_latency_ms"),
      stt_latency_ms: delta("avg_stt_latency_ms"),
      turn_latency_ms: delta("avg_turn_latency_ms"),
    },
    per_session: perSession,
    per_participant: perParticipant,
    client_assigned: {
      n_sessions: new Set(clientAssigned.map((a) => a.sessionId)).size,
      n_participants: new Set(clientAssigned.map((a) => `${participantKey(a)}\u0000${a.sessionGroup}`)).size,
      excluded,
    },
  };
}

/** `rows`: the aggregates of the group's rows (pooled keys); `sessions`: those of its sessions. */
function groupSummary(rows: readonly SessionGroupAggregate[], sessions: readonly SessionGroupAggregate[]): GroupSummary {
  const count = (key: string) => rows.reduce((n, r) => n + (r.rows[key] ?? 0), 0);
  const pooled = (metric: MetricName): number | null => {
    let sum = 0;
    let n = 0;
    for (const r of rows) {
      const [s, c] = r.sums[METRICS[metric]] ?? [0, 0];
      sum += s;
      n += c;
    }
    return n > 0 ? sum / n : null;
  };
  return {
    n_answers: count("answers"),
    n_checkins: count("checkins"),
    n_latency: count("latency"),
    n_stt: count("stt"),
    avg_speaking_rate: pooled("speaking_rate"),
    avg_pause_ratio: pooled("pause_ratio"),
    avg_gaze: pooled("gaze"),
    avg_fillers: pooled("fillers"),
    avg_confidence: pooled("confidence"),
    avg_stress: pooled("stress"),
    avg_latency_ms: pooled("latency_ms"),
    avg_stt_latency_ms: pooled("stt_latency_ms"),
    n_sessions: new Set(sessions.map((r) => r.sessionId)).size,
    n_turn_latency: count("turn_latency"),
    avg_turn_latency_ms: pooled("turn_latency_ms"),
    n_participants: new Set(sessions.map(participantKey)).size,
  };
}

/**
 * One mean per session of the group (by the session's own group) that has the metric, over
 * all its rows whatever group they name; then the two-sample statistics. `unit` picks what
 * one mean is of: the session (default) or, for `per_participant`, the participant.
 */
export function sessionMeans(
  aggregates: readonly SessionGroupAggregate[],
  metric: MetricName,
  group: Group,
  unit: (a: SessionGroupAggregate) => string = (a) => a.sessionId,
): number[] {
  const bySession = new Map<string, [number, number]>();
  for (const a of aggregates) {
    if (a.sessionGroup !== group) continue;
    const [sum, n] = a.sums[METRICS[metric]] ?? [0, 0];
    const key = unit(a);
    const total = bySession.get(key) ?? [0, 0];
    bySession.set(key, [total[0] + sum, total[1] + n]);
  }
  const means: number[] = [];
  for (const [sum, n] of bySession.values()) if (n > 0) means.push(sum / n);
  return means;
}

function compare(
  aggregates: readonly SessionGroupAggregate[],
  metric: MetricName,
  unit: (a: SessionGroupAggregate) => string,
): MetricComparison {
  const treatment = sessionMeans(aggregates, metric, "treatment", unit);
  const control = sessionMeans(aggregates, metric, "control", unit);
  const t = summarize(treatment);
  const c = summarize(control);
  const welch = welchTTest(treatment, control);
  return {
    control: c,
    treatment: t,
    difference: t.mean === null || c.mean === null ? null : t.mean - c.mean,
    welch: welch && {
      t: welch.t,
      df: welch.df,
      p_value: welch.pValue,
      standard_error: welch.standardError,
      ci95: welch.ci95,
    },
    cohens_d: cohensD(treatment, control),
  };
}
