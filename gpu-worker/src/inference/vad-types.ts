/** Messages between the HTTP thread's VadBatcher and the streaming-VAD worker thread (plain data). */

export const VAD_FRAME = 512;
/** h and c, each [2, 1, 64]: one stream's recurrent state. */
export const VAD_STATE_SIZE = 2 * 2 * 64;

export interface VadWorkerOptions {
  modelPath: string;
}

export interface VadBatchTask {
  /** Per stream: whole 512-sample frames of 16 kHz audio. */
  frames: Float32Array[];
  /** Per stream: h (128 floats) then c (128 floats). */
  states: Float32Array[];
}

export interface VadBatchResult {
  probs: Float32Array[];
  states: Float32Array[];
}
