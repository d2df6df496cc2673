/**
 * Model FLOPs of tokenizing utterances, counted from the layer shapes (a multiply-add = 2 FLOPs)
 * on each utterance's real length, windows of long audio included: the useful work, whatever
 * padding a batched run adds. Dividing it by wall time gives the achieved GFLOP/s that is set
 * against the machine's MatMul ceiling.
 */
import { FRAMES_PER_SECOND, planSegments } from "../src/models/s3/windows.js";

/** What the count needs of a model; FULL_SIZE's RandomModelShape entries fit it. */
export interface FlopShape {
  version: "v1" | "v2" | "v3";
  nMels: number;
  width: number;
  layers: number;
  conv1Stride: number;
  /** VQ codebook rows (v1); v2/v3 use FSQ. */
  codebookSize?: number;
}

export interface FlopCount {
  conv: number;
  /** q, k, v and out projections. */
  projections: number;
  /** Scores q·kᵀ and context scores·v, all heads. */
  attention: number;
  mlp: number;
  /** v2/v3 depthwise FSMN memory, kernel 31 (not in the brief's list; ~0.2% of the total). */
  fsmn: number;
  quantizer: number;
  total: number;
}

const FSMN_KERNEL = 31;
const FSQ_DIMS = 8;
const DEFAULT_CODEBOOK = 4096;

/** FLOPs of one forward pass over `frames` mel frames (at most one 30 s window). */
export function segmentFlops(shape: FlopShape, frames: number): FlopCount {
  const D = shape.width;
  const L1 = Math.floor((frames + 2 - 3) / shape.conv1Stride) + 1; // after conv1
  const T = Math.floor((L1 + 2 - 3) / 2) + 1; // after conv2: the token frames
  const conv = 2 * L1 * D * shape.nMels * 3 + 2 * T * D * D * 3;
  const perBlock = {
    projections: 4 * 2 * T * D * D,
    attention: 2 * (2 * T * T * D), // heads × (T×T×headDim) = T²·D, twice
    mlp: 2 * (2 * T * D * 4 * D),
    fsmn: shape.version === "v1" ? 0 : 2 * T * D * FSMN_KERNEL,
  };
  const quantizer = shape.version === "v1" ? 2 * T * D * (shape.codebookSize ?? DEFAULT_CODEBOOK) : 2 * T * D * FSQ_DIMS;
  const n = shape.layers;
  const count = {
    conv,
    projections: n * perBlock.projections,
    attention: n * perBlock.attention,
    mlp: n * perBlock.mlp,
    fsmn: n * perBlock.fsmn,
    quantizer,
  };
  return { ...count, total: Object.values(count).reduce((a, b) => a + b, 0) };
}

/** FLOPs of tokenizing utterances of the given mel frame counts, long ones as their windows. */
export function workloadFlops(shape: FlopShape, melFrames: readonly number[]): FlopCount {
  const sum: FlopCount = { conv: 0, projections: 0, attention: 0, mlp: 0, fsmn: 0, quantizer: 0, total: 0 };
  const tokenRate = FRAMES_PER_SECOND / (2 * shape.conv1Stride); // conv1, then conv2's stride 2
  for (const segment of planSegments(melFrames, tokenRate)) {
    const part = segmentFlops(shape, segment.frames);
    for (const key of Object.keys(sum) as (keyof FlopCount)[]) sum[key] += part[key];
  }
  return sum;
}
