/**
 * The HTTP thread's side of streaming VAD: live streams hand in their new frames and state; while
 * one batch runs in the VAD thread (vad-worker.ts), and for the rest of its 20 ms slot, the next
 * collects every stream's request, so under load many streams share each Silero run, and a
 * request that finds the thread idle is sent at once.
 * One thread is enough: a batch of 50 streams' frames takes a few ms per 32 ms of audio.
 */
import { Piscina } from "piscina";
import { VAD_STATE_SIZE, type VadBatchResult, type VadBatchTask, type VadWorkerOptions } from "./vad-types.ts";

const WORKER_FILE = new URL("./vad-worker.ts", import.meta.url);

/**
 * Batches start at least this far apart. A lone batch is sent at once; under load, waiting for
 * the rest of a frame period lets every stream's next frame join one run (at 50 streams: ~31
 * runs of ~50 frames a second instead of ~1,500 runs of one or two, each paying the thread
 * hop and a Silero step). Costs a stream at most this much of its turn decision.
 */
export const MIN_BATCH_INTERVAL_MS = 20;

interface Pending {
  frames: Float32Array;
  state: Float32Array;
  resolve: (r: { probs: Float32Array; state: Float32Array }) => void;
  reject: (err: unknown) => void;
}

export class VadBatcher {
  readonly #pool: Piscina;
  #pending: Pending[] = [];
  #running = false;
  /** The batch loop while it runs; close() lets it finish before the thread goes. */
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: VadWorkerOptions) {
    this.#pool = new Piscina({ filename: WORKER_FILE.href, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1, idleTimeout: Number.POSITIVE_INFINITY, workerData: options });
  }

  /** A fresh stream's recurrent state (zeros). */
  static initialState(): Float32Array {
    return new Float32Array(VAD_STATE_SIZE);
  }

  /** Speech probabilities of `frames` (whole 512-sample frames) and the state after them. */
  run(frames: Float32Array, state: Float32Array): Promise<{ probs: Float32Array; state: Float32Array }> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error("streaming VAD is closed"));
      this.#pending.push({ frames, state, resolve, reject });
      if (!this.#running) this.#flushing = this.#flush();
    });
  }

  /** Loads the model (a one-frame run), so the first stream pays no load cost. */
  async warm(): Promise<void> {
    await this.run(new Float32Array(512), VadBatcher.initialState());
  }

  async #flush(): Promise<void> {
    this.#running = true;
    let started = 0;
    while (this.#pending.length > 0) {
      const wait = started + MIN_BATCH_INTERVAL_MS - performance.now();
      if (started > 0 && wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (this.#pending.length === 0) break;
      started = performance.now();
      const batch = this.#pending;
      this.#pending = [];
      const task: VadBatchTask = { frames: batch.map((p) => p.frames), states: batch.map((p) => p.state) };
      try {
        const result = (await this.#pool.run(task)) as VadBatchResult;
        batch.forEach((p, i) => p.resolve({ probs: result.probs[i]!, state: result.states[i]! }));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.#running = false;
  }

  /**
   * Refuses new work, lets a batch in the thread finish (terminating a thread inside an
   * onnxruntime run can abort the process), fails what was still waiting, then ends the thread.
   */
  async close(): Promise<void> {
    this.#closed = true;
    const waiting = this.#pending;
    this.#pending = [];
    for (const p of waiting) p.reject(new Error("streaming VAD is closed"));
    await this.#flushing;
    await this.#pool.destroy();
  }
}
