/**
 * The statistics module against scipy: incomplete beta, Student's t CDF and quantile, Welch's
 * t-test (t, df, p, 95% CI of treatment − control) and Cohen's d. Reference numbers are in
 * reference-values.ts, produced by reference/make_reference.py; tolerance 1e-9 (absolute, or
 * relative for large values).
 */
import { describe, expect, it } from "vitest";
import { regularizedIncompleteBeta, studentTCdf, studentTQuantile } from "../../src/stats/student-t.ts";
import { cohensD, summarize, welchTTest } from "../../src/stats/welch.ts";
import { BETA, T_CDF, T_QUANTILES, WELCH } from "./reference-values.ts";

function close(actual: number, expected: number, tolerance = 1e-9): void {
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected) / scale, `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe("regularized incomplete beta", () => {
  it.each(BETA)("I_$x($a, $b)", ({ a, b, x, value }) => close(regularizedIncompleteBeta(x, a, b), value, 1e-12));

  it("is 0 at 0 and 1 at 1, and refuses bad arguments", () => {
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedIncompleteBeta(1.5, 2, 3)).toThrow(RangeError);
    expect(() => regularizedIncompleteBeta(0.5, 0, 3)).toThrow(RangeError);
  });
});

describe("Student's t", () => {
  it.each(T_QUANTILES)("quantile at p=$p, df=$df", ({ p, df, quantile }) => close(studentTQuantile(p, df), quantile, 1e-12));
  it.each(T_CDF)("CDF at t=$t, df=$df", ({ t, df, cdf }) => close(studentTCdf(t, df), cdf, 1e-12));

  it("is symmetric and has the right limits", () => {
    expect(studentTQuantile(0.5, 7)).toBe(0);
    expect(studentTQuantile(0, 7)).toBe(-Infinity);
    expect(studentTQuantile(1, 7)).toBe(Infinity);
    close(studentTQuantile(0.025, 9), -studentTQuantile(0.975, 9), 1e-15);
    close(studentTCdf(studentTQuantile(0.8, 3.3), 3.3), 0.8, 1e-13);
  });
});

describe("Welch's t-test and Cohen's d (treatment − control)", () => {
  it.each(WELCH.map((c, i) => ({ ...c, i })))("case $i", (c) => {
    const result = welchTTest(c.treatment, c.control)!;
    close(result.difference, c.difference);
    close(result.t, c.t);
    close(result.df, c.df);
    close(result.pValue, c.pValue);
    close(result.ci95[0], c.ci95[0]);
    close(result.ci95[1], c.ci95[1]);
    close(summarize(c.treatment).sd!, c.sdTreatment);
    close(summarize(c.control).sd!, c.sdControl);
    close(cohensD(c.treatment, c.control)!, c.cohensD);
  });

  it("is undefined below two values a side or with no variance at all", () => {
    expect(welchTTest([1], [1, 2])).toBeNull();
    expect(welchTTest([], [1, 2])).toBeNull();
    expect(welchTTest([3, 3], [3, 3, 3])).toBeNull();
    expect(cohensD([3, 3], [3, 3])).toBeNull();
    expect(summarize([])).toEqual({ n: 0, mean: null, sd: null });
    expect(summarize([4])).toEqual({ n: 1, mean: 4, sd: null });
  });
});
