/**
 * Two-sample statistics for the experiment (treatment minus control), over one value per
 * session: sample mean and standard deviation (n − 1), Welch's t-test with its
 * Welch–Satterthwaite degrees of freedom and 95% confidence interval of the difference, and
 * Cohen's d with the pooled standard deviation. Matches scipy.stats.ttest_ind(treatment,
 * control, equal_var=False) and its confidence_interval(0.95) to 1e-9.
 */
import { studentTQuantile, studentTTwoSidedP } from "./student-t.ts";

export interface SampleSummary {
  n: number;
  mean: number | null;
  /** Sample standard deviation (divisor n − 1); null below two values. */
  sd: number | null;
}

export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null };
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(squares / (n - 1)) };
}

export interface WelchResult {
  /** mean(treatment) − mean(control). */
  difference: number;
  standardError: number;
  df: number;
  t: number;
  pValue: number;
  ci95: [number, number];
}

/**
 * Welch's unequal-variance t-test of treatment − control. Null when either side has fewer
 * than two values or both have zero variance (the statistic is undefined).
 */
export function welchTTest(treatment: readonly number[], control: readonly number[], level = 0.95): WelchResult | null {
  const a = summarize(treatment);
  const b = summarize(control);
  if (a.sd === null || b.sd === null || a.mean === null || b.mean === null) return null;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se2 = va + vb;
  if (!(se2 > 0)) return null;
  const standardError = Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const difference = a.mean - b.mean;
  const t = difference / standardError;
  const critical = studentTQuantile(1 - (1 - level) / 2, df);
  return {
    difference,
    standardError,
    df,
    t,
    pValue: studentTTwoSidedP(t, df),
    ci95: [difference - critical * standardError, difference + critical * standardError],
  };
}

/** Cohen's d = (mean_t − mean_c) / pooled SD; null when undefined (n < 2 a side, or SD 0). */
export function cohensD(treatment: readonly number[], control: readonly number[]): number | null {
  const a = summarize(treatment);
  const b = summarize(control);
  if (a.sd === null || b.sd === null || a.mean === null || b.mean === null) return null;
  const pooled = Math.sqrt(((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd) / (a.n + b.n - 2));
  return pooled > 0 ? (a.mean - b.mean) / pooled : null;
}
