/**
 * One bounded worker-thread pool per engine (piscina). Each thread loads its own copy of the
 * model at start and warms it; the HTTP thread only queues tasks. Requests are admitted before
 * they spend anything (upload, decoding): beyond `threads + QUEUE_MAX` admitted at once, 429 +
 * Retry-After instead of a queue without bound. A task that runs longer than the inference
 * timeout answers 503 and its thread is replaced. Covers scheduling and lifecycle, not the
 * models themselves (see worker.ts).
 */
import { Piscina } from "piscina";
import { traced } from "../request-id.ts";
import { ApiError } from "../errors.ts";
import type { EngineInfo, SynthesizeResult, SynthesizeTask, TranscribeResult, TranscribeTask, WorkerOptions } from "./types.ts";

const WORKER_FILE = new URL("./worker.ts", import.meta.url);

export interface EnginePoolOptions {
  threads: number;
  queueMax: number;
  retryAfterSeconds: number;
  /** INFERENCE_TIMEOUT_MS: longest one task may run in its thread (0 = no limit). */
  inferenceTimeoutMs?: number;
  worker: Omit<WorkerOptions, "gate">;
}

/** The task was still waiting for a thread when its client went away; it never ran. */
export class TaskCancelledError extends Error {
  override name = "TaskCancelledError";
}

/**
 * The transcribe task's audio view, whose whole ArrayBuffer is transferred: the caller hands
 * that buffer over (the route's upload buffer, ffmpeg's samples), even where the view is only its
 * prefix. A small view into a larger small buffer may be a slice of Node's shared Buffer pool,
 * which must not be detached: that one is copied (at most a few KiB).
 */
function handedOver<T extends Uint8Array | Float32Array>(view: T): T {
  const pooled = !(view.buffer instanceof ArrayBuffer) || (view.byteLength !== view.buffer.byteLength && view.buffer.byteLength <= Buffer.poolSize);
  return pooled ? (view.slice() as T) : view;
}

/** Slots of the gate shared with the threads (see `hold`). */
const GATE_HELD = 0;
const GATE_PASSES = 1;

/**
 * A request's place among the `threads + QUEUE_MAX` the engine takes at once, taken before its
 * upload is read (`EnginePool.admit`) and kept until `release()`, across any number of tasks
 * (a streamed answer runs one per sentence). Releasing twice is harmless.
 */
export interface Admission {
  transcribe(task: TranscribeTask, signal?: AbortSignal): Promise<TranscribeResult>;
  synthesize(task: SynthesizeTask, signal?: AbortSignal): Promise<SynthesizeResult>;
  release(): void;
}

interface Waiter {
  grant: () => void;
}

/**
 * Scheduling is done here rather than in piscina's queue: a task is handed to piscina only when
 * one of the engine's threads is free, and waits in `#waiting` until then. A waiting task whose
 * AbortSignal fires (the client disconnected) is simply removed. A running task is never
 * aborted: piscina would terminate the thread (and its loaded model) to do so; it finishes and
 * the caller drops the result.
 */
export class EnginePool {
  readonly name: WorkerOptions["engine"];
  readonly #pool: Piscina;
  readonly #threads: number;
  readonly #queueMax: number;
  readonly #retryAfter: number;
  readonly #timeoutMs: number;
  readonly #gate = new Int32Array(new SharedArrayBuffer(8));
  #info: EngineInfo | null = null;
  /** Requests admitted and not yet released: receiving their upload, decoding, waiting or running. */
  #admitted = 0;
  /** Tasks handed to piscina (at most #threads). */
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(options: EnginePoolOptions) {
    this.name = options.worker.engine;
    this.#threads = options.threads;
    this.#queueMax = options.queueMax;
    this.#retryAfter = options.retryAfterSeconds;
    this.#timeoutMs = options.inferenceTimeoutMs ?? 0;
    const workerData: WorkerOptions = { ...options.worker, gate: this.#gate };
    this.#pool = new Piscina({
      filename: WORKER_FILE.href,
      minThreads: options.threads,
      maxThreads: options.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData,
    });
  }

  /** Loads (and warms) the model in a thread and reports what it found. Never throws. */
  async start(): Promise<EngineInfo> {
    try {
      this.#info = (await this.#pool.run({ kind: "info" })) as EngineInfo;
    } catch (err) {
      this.#info = {
        engine: this.name, loaded: false, model: null, provider: null, vad: false, wordTimestamps: false,
        error: err instanceof Error ? err.message : String(err), languages: [], multilingual: true, voices: [], sampleRate: null, loadMs: null,
      };
    }
    return this.#info;
  }

  get info(): EngineInfo | null {
    return this.#info;
  }

  /** Tasks waiting for a thread. */
  get queueDepth(): number {
    return this.#waiting.length;
  }

  /** Tasks running or waiting. */
  get inFlight(): number {
    return this.#active + this.#waiting.length;
  }

  /** Requests admitted (`admit`) and not released, plus direct tasks in flight. */
  get admitted(): number {
    return this.#admitted;
  }

  /** Whether `admit` would refuse now with 429 (every place taken): a check before a body is parsed. */
  get full(): boolean {
    return this.#admitted >= this.#threads + this.#queueMax;
  }

  /**
   * Takes a place for a request before it spends anything (reading its upload, running ffmpeg):
   * throws 503 `model_not_loaded`, or 429 `queue_full` when `threads + QUEUE_MAX` requests are
   * already admitted. The caller must `release()` it when the request is done, whatever happens.
   */
  admit(): Admission {
    if (!this.#info?.loaded) throw new ApiError("model_not_loaded", `The ${this.name} model is not loaded: ${this.#info?.error ?? "still starting"}.`);
    if (this.full) throw this.busy();
    this.#admitted += 1;
    let released = false;
    return {
      transcribe: (task, signal) => this.#transcribe(task, signal),
      synthesize: (task, signal) => this.#run(task, [], signal) as Promise<SynthesizeResult>,
      release: () => {
        if (released) return;
        released = true;
        this.#admitted -= 1;
      },
    };
  }

  /** One task under its own admission (refused like `admit`). `signal`: abort while the task is still waiting to remove it from the queue (see the class note). */
  async transcribe(task: TranscribeTask, signal?: AbortSignal): Promise<TranscribeResult> {
    const admission = this.admit();
    try {
      return await admission.transcribe(task, signal);
    } finally {
      admission.release();
    }
  }

  async synthesize(task: SynthesizeTask, signal?: AbortSignal): Promise<SynthesizeResult> {
    const admission = this.admit();
    try {
      return await admission.synthesize(task, signal);
    } finally {
      admission.release();
    }
  }

  /**
   * For tests: lets the next `passes` tasks run, then holds every later one at its start, in its
   * thread, blocked as a stuck inference would be (Atomics.wait), until `releaseHeld()`. A held
   * task is still subject to the inference timeout. Costs one atomic read per task otherwise.
   */
  hold(passes = 0): void {
    Atomics.store(this.#gate, GATE_PASSES, passes);
    Atomics.store(this.#gate, GATE_HELD, 1);
  }

  releaseHeld(): void {
    Atomics.store(this.#gate, GATE_HELD, 0);
    Atomics.notify(this.#gate, GATE_HELD);
  }

  #transcribe(task: TranscribeTask, signal?: AbortSignal): Promise<TranscribeResult> {
    // The upload's bytes (or ffmpeg's samples) are transferred, not copied: the caller's view is
    // detached once the task is handed to a thread.
    const audio = task.audio.kind === "wav" ? { ...task.audio, bytes: handedOver(task.audio.bytes) } : { ...task.audio, samples: handedOver(task.audio.samples) };
    const view = audio.kind === "wav" ? audio.bytes : audio.samples;
    return this.#run({ ...task, audio }, [view.buffer as ArrayBuffer], signal) as Promise<TranscribeResult>;
  }

  /** Runs an admitted request's task: waits for a thread, then runs it under the inference timeout. */
  async #run(task: TranscribeTask | SynthesizeTask, transferList: ArrayBuffer[], signal: AbortSignal | undefined): Promise<unknown> {
    if (!this.#info?.loaded) throw new ApiError("model_not_loaded", `The ${this.name} model is not loaded: ${this.#info?.error ?? "still starting"}.`);
    if (signal?.aborted) throw new TaskCancelledError("the client went away before the task was queued");
    await this.#acquire(signal);
    const deadline = new AbortController();
    const timer = this.#timeoutMs > 0 ? setTimeout(() => deadline.abort(), this.#timeoutMs) : null;
    try {
      // Aborting a running piscina task terminates its thread (the only way to stop a stuck
      // onnxruntime call) and starts a replacement, which loads the model again.
      return await this.#pool.run(traced(task), { transferList, signal: deadline.signal });
    } catch (err) {
      if (!deadline.signal.aborted) throw err;
      throw new ApiError("inference_timeout", `The ${this.name} task ran longer than ${this.#timeoutMs} ms (INFERENCE_TIMEOUT_MS); its thread was restarted.`, { headers: { "retry-after": String(this.#retryAfter) }, cause: err });
    } finally {
      if (timer) clearTimeout(timer);
      if (deadline.signal.aborted) this.#releaseAfterReplacement();
      else this.#release();
    }
  }

  /**
   * The timed-out task's thread was terminated; its slot is handed on once a thread has loaded
   * the model again (an `info` task waits for that), so the next task's timeout does not include
   * the reload.
   */
  #releaseAfterReplacement(): void {
    this.#pool.run({ kind: "info" }).catch(() => undefined).finally(() => this.#release());
  }

  /** Resolves once a thread is ours; a waiting task is removed when `signal` fires. */
  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.#active < this.#threads) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new TaskCancelledError("the client went away while the task was queued"));
      };
      // #release hands its slot over (#active unchanged), so no newcomer can overtake the queue.
      const waiter: Waiter = { grant: () => { signal?.removeEventListener("abort", onAbort); resolve(); } };
      this.#waiting.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next.grant();
    else this.#active -= 1;
  }

  /** The 429 `admit` throws when full. */
  busy(): ApiError {
    return new ApiError("queue_full", undefined, { headers: { "retry-after": String(this.#retryAfter) } });
  }

  async close(): Promise<void> {
    this.releaseHeld(); // a held thread would otherwise block destroy()
    await this.#pool.destroy();
  }
}
