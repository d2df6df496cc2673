/**
 * How big a WebGPU batch may be, and how many attention heads to score at once, so that no tensor
 * of the graph outgrows one storage buffer binding.
 *
 * Why: onnxruntime's WebGPU provider splits a tensor larger than the device's
 * maxStorageBufferBindingSize over several bindings, and its MatMul and Softmax kernels then
 * compute wrong values without an error (measured on Mesa's lavapipe, whose binding limit is the
 * WebGPU minimum of 128 MiB: a v1 fixture window of 1300 tokens, scores 20 × 1300² × 4 B =
 * 135 MB, gave 6 % wrong tokens, 1400 tokens 42 %; an elementwise Add over such a batch failed
 * with "Too many storage buffers"). The device's own limit is not visible through
 * onnxruntime-node, so the plan keeps every tensor under the 128 MiB every WebGPU device grants.
 */
import { WINDOW_FRAMES } from "./windows.js";
import type { ModelDims, ModelVersion } from "./weights.js";

/** The maxStorageBufferBindingSize every WebGPU adapter supports (the specification's default). */
export const WEBGPU_BINDING_BYTES = 128 * 1024 * 1024;

const FLOAT_BYTES = 4;

export interface WebGpuPlan {
  /** Heads scored together: the attention scores are [B, headsPerGroup, T, T] per group. */
  headsPerGroup: number;
  /** Most token frames in one batch (batch size × longest row, in tokens). */
  batchTokens: number;
}

/** Token frames from `melFrames` mel frames: conv1 (stride 1 or 2) then conv2 (stride 2), each ceil. */
function tokenFrames(dims: ModelDims, melFrames: number): number {
  return Math.ceil(Math.ceil(melFrames / dims.conv1Stride) / 2);
}

/**
 * The widest per-token row of the graph, in bytes, outside the attention scores: the MLP's
 * hidden layer [N, 4D], v1's VQ distances [N, codebook] (v2/v3's FSQ has 8 values per token),
 * the conv1 output [B, D, T1] (two conv1 frames per token) and the mels [B, M, T].
 */
function rowBytes(dims: ModelDims, version: ModelVersion): number {
  const distances = version === "v1" ? dims.codebookSize : 0;
  return FLOAT_BYTES * Math.max(dims.mlpWidth, distances, dims.width * 2, dims.nMels * dims.conv1Stride * 2);
}

/**
 * The graph side of the plan, from the model's dimensions alone. Token frames per batch are
 * bounded by the widest row; heads are grouped as widely as that batch allows (a divisor of the
 * head count, so the groups are equal), and the batch is cut further only when even one head's
 * scores would not fit.
 */
export function webGpuPlan(dims: ModelDims, version: ModelVersion, bindingBytes: number = WEBGPU_BINDING_BYTES): WebGpuPlan {
  const scoreRowBytes = FLOAT_BYTES * tokenFrames(dims, WINDOW_FRAMES); // one head's scores of one token, longest row
  const rowLimit = Math.floor(bindingBytes / rowBytes(dims, version));
  const divisors = Array.from({ length: dims.heads }, (_, i) => i + 1).filter((d) => dims.heads % d === 0);
  const headsPerGroup = divisors.filter((d) => d * scoreRowBytes * rowLimit <= bindingBytes).pop() ?? 1;
  const batchTokens = Math.min(rowLimit, Math.floor(bindingBytes / (headsPerGroup * scoreRowBytes)));
  return { headsPerGroup, batchTokens };
}

/**
 * Batch limits that keep a WebGPU batch within the plan's token budget. A row of L mel frames
 * has fewer than L / melsPerToken + 1 tokens (two ceil steps), so `frames` padded frames in B
 * rows make fewer than frames / melsPerToken + B tokens: the rows' share is set aside (and the
 * row count capped, so that an unbounded `maxBatchSize` still leaves room for frames).
 */
export function webGpuBatchLimits(
  dims: ModelDims,
  version: ModelVersion,
  maxBatchSize: number,
  bindingBytes: number = WEBGPU_BINDING_BYTES,
): { maxBatchFrames: number; maxBatchSize: number } {
  const { batchTokens } = webGpuPlan(dims, version, bindingBytes);
  const rows = Math.min(maxBatchSize, Math.floor(batchTokens / 2));
  const maxBatchFrames = (batchTokens - rows) * dims.conv1Stride * 2;
  if (maxBatchFrames < WINDOW_FRAMES) {
    throw new RangeError(`a ${WINDOW_FRAMES}-frame window of this model does not fit in ${bindingBytes}-byte WebGPU bindings`);
  }
  return { maxBatchFrames, maxBatchSize: rows };
}
