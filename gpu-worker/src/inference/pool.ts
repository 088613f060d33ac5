/**
 * One bounded worker-thread pool per engine (piscina). Each thread loads its own copy of the
 * model at start and warms it; the HTTP thread only queues tasks. A full queue is refused with
 * 429 + Retry-After instead of growing without bound. Covers scheduling and lifecycle, not the
 * models themselves (see worker.ts).
 */
import { Piscina } from "piscina";
import { ApiError } from "../errors.ts";
import type { EngineInfo, SynthesizeResult, SynthesizeTask, TranscribeResult, TranscribeTask, WorkerOptions } from "./types.ts";

const WORKER_FILE = new URL("./worker.ts", import.meta.url);

export interface EnginePoolOptions {
  threads: number;
  queueMax: number;
  retryAfterSeconds: number;
  worker: WorkerOptions;
}

export class EnginePool {
  readonly name: WorkerOptions["engine"];
  readonly #pool: Piscina;
  readonly #queueMax: number;
  readonly #retryAfter: number;
  #info: EngineInfo | null = null;
  #running = 0;

  constructor(options: EnginePoolOptions) {
    this.name = options.worker.engine;
    this.#queueMax = options.queueMax;
    this.#retryAfter = options.retryAfterSeconds;
    this.#pool = new Piscina({
      filename: WORKER_FILE.href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // piscina counts tasks waiting for a thread; we refuse before it would.
      maxQueue: Math.max(options.queueMax, 1),
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
    return this.#pool.queueSize;
  }

  /** Tasks running or waiting. */
  get inFlight(): number {
    return this.#running;
  }

  transcribe(task: TranscribeTask): Promise<TranscribeResult> {
    return this.#run(task, [task.audio.buffer as ArrayBuffer]) as Promise<TranscribeResult>;
  }

  synthesize(task: SynthesizeTask): Promise<SynthesizeResult> {
    return this.#run(task, []) as Promise<SynthesizeResult>;
  }

  async #run(task: TranscribeTask | SynthesizeTask, transferList: ArrayBuffer[]): Promise<unknown> {
    if (!this.#info?.loaded) throw new ApiError("model_not_loaded", `The ${this.name} model is not loaded: ${this.#info?.error ?? "still starting"}.`);
    const waiting = this.#pool.queueSize;
    const idle = this.#pool.threads.length * 1 - (this.#running - waiting);
    if (idle <= 0 && waiting >= this.#queueMax) throw this.#busy();
    this.#running += 1;
    try {
      return await this.#pool.run(task, { transferList });
    } catch (err) {
      if (err instanceof Error && err.message === "Task queue is at limit") throw this.#busy();
      throw err;
    } finally {
      this.#running -= 1;
    }
  }

  #busy(): ApiError {
    return new ApiError("queue_full", undefined, { headers: { "retry-after": String(this.#retryAfter) } });
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
