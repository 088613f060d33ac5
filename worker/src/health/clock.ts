/**
 * The clock of every breaker shared through the fleet (the isolates' views and the
 * `ServiceHealth` objects). Wall time, so views from another machine compare with ours.
 *
 * Tests inside workerd run the Worker, its Durable Objects and the test file in one isolate,
 * so shifting this clock there moves both sides past a cooldown without a 30 s wait. Unit
 * tests inject their own clocks instead.
 */
let shiftMs = 0;

export const healthClock = (): number => Date.now() + shiftMs;

/** Tests only: moves every breaker's time forward by `ms`; `null` puts it back. */
export function shiftHealthClockForTests(ms: number | null): void {
  shiftMs = ms === null ? 0 : shiftMs + ms;
}
