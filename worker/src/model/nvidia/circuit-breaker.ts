/**
 * A small circuit breaker for the chat-completions API, so a failing or hung API costs the
 * full per-turn timeout a few times, not on every turn.
 *
 * State lives in memory of the object that owns it (one per InterviewSession Durable Object
 * instance). It is deliberately not persisted: after hibernation or eviction the breaker
 * starts closed again, which costs at most one more failing turn. Sharing it across objects
 * would need a coordinating object on every call, which is dearer than what it saves.
 *
 * closed ──(FAILURE_THRESHOLD consecutive failures)──▶ open ──(cooldown)──▶ half-open
 * half-open lets exactly one probe call through: success closes, failure re-opens with the
 * cooldown doubled (capped). While open, calls are refused at once.
 */

export interface CircuitBreakerOptions {
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** First open period, in ms. */
  cooldownMs: number;
  /** Cap on the doubled open period, in ms. */
  maxCooldownMs: number;
}

/** 3 calls ≈ one or two failing turns (a turn makes one or two calls). 30 s then up to 5 min. */
export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 3, cooldownMs: 30_000, maxCooldownMs: 300_000 };

export type BreakerState = "closed" | "open" | "half_open";

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private cooldownMs: number;
  private probing = false;
  private opened = false;

  constructor(
    private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER,
    private readonly clock: () => number = Date.now,
  ) {
    this.cooldownMs = options.cooldownMs;
  }

  state(): BreakerState {
    if (!this.opened) return "closed";
    return this.clock() < this.openUntil ? "open" : "half_open";
  }

  /** Whether a call may go out now; in half-open, only the first caller gets through. */
  tryAcquire(): boolean {
    const state = this.state();
    if (state === "closed") return true;
    if (state === "open" || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.failures = 0;
    this.opened = false;
    this.probing = false;
    this.cooldownMs = this.options.cooldownMs;
  }

  failure(): void {
    if (this.probing) {
      // The probe failed: open again for longer.
      this.probing = false;
      this.cooldownMs = Math.min(this.options.maxCooldownMs, this.cooldownMs * 2);
      this.open();
      return;
    }
    // A call that started before the circuit opened and failed late changes nothing.
    if (this.opened) return;
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open();
  }

  /** A call that never reached a verdict (aborted by the caller) frees the probe slot. */
  release(): void {
    this.probing = false;
  }

  private open(): void {
    this.opened = true;
    this.openUntil = this.clock() + this.cooldownMs;
  }
}
