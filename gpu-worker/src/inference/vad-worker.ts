/**
 * Body of the streaming-VAD worker thread (piscina): Silero VAD over the frames that live audio
 * streams sent since their last task, all streams in one batch. Each task carries, per stream,
 * its new 32 ms frames and its recurrent state (h, c), and returns one speech probability per
 * frame and the new state; the thread keeps nothing between tasks, so any number of streams
 * share it. Batching is what makes many streams cheap: on this 2-core machine one Silero step
 * costs ~0.35 ms for 1 stream and ~6.6 ms for 50 (vs ~17.5 ms as 50 separate runs).
 */
import { workerData } from "node:worker_threads";
import { move, transferableSymbol, valueSymbol } from "piscina";
import * as ort from "onnxruntime-node";
import { shippedVadModelPath } from "../pipelines/vad.ts";
import { VAD_FRAME, VAD_STATE_SIZE, type VadBatchResult, type VadBatchTask, type VadWorkerOptions } from "./vad-types.ts";

const HALF = VAD_STATE_SIZE / 2;

const options = workerData as VadWorkerOptions;
const ready = ort.InferenceSession.create(options.modelPath || shippedVadModelPath(), { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ["cpu"] });
const sr = new ort.Tensor("int64", BigInt64Array.from([16_000n]), []);

export default async function runVadBatch(task: VadBatchTask): Promise<VadBatchResult> {
  const session = await ready;
  const counts = task.frames.map((f) => Math.floor(f.length / VAD_FRAME));
  const probs = counts.map((n) => new Float32Array(n));
  const states = task.states.map((s) => Float32Array.from(s));
  const steps = Math.max(0, ...counts);
  for (let k = 0; k < steps; k++) {
    const active = counts.flatMap((n, i) => (n > k ? [i] : []));
    const B = active.length;
    const input = new Float32Array(B * VAD_FRAME);
    const h = new Float32Array(2 * B * 64);
    const c = new Float32Array(2 * B * 64);
    active.forEach((s, b) => {
      input.set(task.frames[s]!.subarray(k * VAD_FRAME, (k + 1) * VAD_FRAME), b * VAD_FRAME);
      for (let layer = 0; layer < 2; layer++) {
        h.set(states[s]!.subarray(layer * 64, layer * 64 + 64), layer * B * 64 + b * 64);
        c.set(states[s]!.subarray(HALF + layer * 64, HALF + layer * 64 + 64), layer * B * 64 + b * 64);
      }
    });
    const out = await session.run({
      input: new ort.Tensor("float32", input, [B, VAD_FRAME]),
      sr,
      h: new ort.Tensor("float32", h, [2, B, 64]),
      c: new ort.Tensor("float32", c, [2, B, 64]),
    });
    const p = out.output!.data as Float32Array;
    const hn = out.hn!.data as Float32Array;
    const cn = out.cn!.data as Float32Array;
    active.forEach((s, b) => {
      probs[s]![k] = p[b]!;
      for (let layer = 0; layer < 2; layer++) {
        states[s]!.set(hn.subarray(layer * B * 64 + b * 64, layer * B * 64 + b * 64 + 64), layer * 64);
        states[s]!.set(cn.subarray(layer * B * 64 + b * 64, layer * B * 64 + b * 64 + 64), HALF + layer * 64);
      }
    });
  }
  const result: VadBatchResult = { probs, states };
  const buffers = [...probs, ...states].map((a) => a.buffer as ArrayBuffer);
  return move({ get [transferableSymbol]() { return buffers; }, get [valueSymbol]() { return result; } }) as unknown as VadBatchResult;
}
