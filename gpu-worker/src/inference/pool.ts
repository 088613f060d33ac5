/**
 * One bounded worker-thread pool per engine (piscina). Each thread loads its own copy of the
 * model at start and warms it; the HTTP thread only queues tasks. A full queue is refused with
 * 429 + Retry-After instead of growing without bound. Covers scheduling and lifecycle, not the
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
  worker: WorkerOptions;
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
  #info: EngineInfo | null = null;
  /** Tasks handed to piscina (at most #threads). */
  #active = 0;
  readonly #waiting: Waiter[] = [];

  constructor(options: EnginePoolOptions) {
    this.name = options.worker.engine;
    this.#threads = options.threads;
    this.#queueMax = options.queueMax;
    this.#retryAfter = options.retryAfterSeconds;
    this.#pool = new Piscina({
      filename: WORKER_FILE.href,
      minThreads: options.threads,
      maxThreads: options.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: options.worker,
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

  /** `signal`: abort while the task is still waiting to remove it from the queue (see the class note). */
  transcribe(task: TranscribeTask, signal?: AbortSignal): Promise<TranscribeResult> {
    // The upload's bytes (or ffmpeg's samples) are transferred, not copied: the caller's view is
    // detached once the task is handed to a thread.
    const audio = task.audio.kind === "wav" ? { ...task.audio, bytes: handedOver(task.audio.bytes) } : { ...task.audio, samples: handedOver(task.audio.samples) };
    const view = audio.kind === "wav" ? audio.bytes : audio.samples;
    return this.#run({ ...task, audio }, [view.buffer as ArrayBuffer], signal) as Promise<TranscribeResult>;
  }

  synthesize(task: SynthesizeTask, signal?: AbortSignal): Promise<SynthesizeResult> {
    return this.#run(task, [], signal) as Promise<SynthesizeResult>;
  }

  async #run(task: TranscribeTask | SynthesizeTask, transferList: ArrayBuffer[], signal: AbortSignal | undefined): Promise<unknown> {
    if (!this.#info?.loaded) throw new ApiError("model_not_loaded", `The ${this.name} model is not loaded: ${this.#info?.error ?? "still starting"}.`);
    if (signal?.aborted) throw new TaskCancelledError("the client went away before the task was queued");
    if (this.#active >= this.#threads && this.#waiting.length >= this.#queueMax) throw this.#busy();
    await this.#acquire(signal);
    try {
      return await this.#pool.run(traced(task), { transferList });
    } finally {
      this.#release();
    }
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

  #busy(): ApiError {
    return new ApiError("queue_full", undefined, { headers: { "retry-after": String(this.#retryAfter) } });
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
