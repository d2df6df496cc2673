/**
 * GroupNorm with one group (torch.nn.GroupNorm(1, C)) over a batch whose rows have their own
 * lengths: each row's mean and variance are taken over all channels and its REAL frames only, so
 * a row normalises as it would alone (upstream takes them over the padded batch, which changes a
 * shorter row). Frames past a row's length come out as garbage that nothing downstream reads.
 * B = batch, C = channels, T = frames.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import type { TensorData } from "../../onnx/tensor.js";
import { dimSize, lengthMask, toFloat } from "./layers.js";

export interface GroupNormParams {
  /** [C] */
  weight: TensorData;
  /** [C] */
  bias: TensorData;
  epsilon: number;
}

/**
 * x [B, C, T] with int64 lengths [B] → GroupNorm(1, C) of each row over its first lengths[b] frames.
 * The frame mask is applied to the per-frame channel sums [B, T], not to x [B, C, T]: summing a
 * frame's channels then multiplying by 1 or 0 gives the same float32 values as masking each
 * value first (sum_c x·m = m · sum_c x for m in {0, 1}), and saves two passes over the full
 * tensor per norm, which at the codec's 16 kHz layers are memory-bound and cost as much as the
 * convolutions between them.
 */
export function maskedGroupNorm(g: GraphBuilder, x: string, lengths: string, norm: GroupNormParams, scope: string): string {
  const channels = norm.weight.dims[0]!;
  const mask = toFloat(g, lengthMask(g, lengths, dimSize(g, x, 2))); // [B, T]
  const count = g.node("Cast", [g.node("Mul", [lengths, g.scalarInt64(channels)])], { to: attr.int(DataType.FLOAT) }); // [B] = C · L_b
  const countB = g.node("Reshape", [count, g.int64s([-1, 1, 1])]); // [B, 1, 1]
  const mean = g.node("Div", [accurateSum(g, x, mask), countB]); // [B, 1, 1]
  const centered = g.node("Sub", [x, mean]); // [B, C, T]
  // Biased variance over the real frames, as torch's GroupNorm (two passes, not E[x²] − E[x]²).
  const variance = g.node("Div", [accurateSum(g, centered, mask, "ReduceSumSquare"), countB]); // [B, 1, 1]
  const inverseStd = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [variance, g.scalarFloat(norm.epsilon)])])]); // [B, 1, 1]
  // As torch's CPU kernel applies it: y = x · scale + shift with scale = rstd · γ and shift =
  // β − scale · mean per row and channel, two passes over [B, C, T] instead of four.
  const weight = g.node("Reshape", [g.initializer(`${scope}.weight`, norm.weight), g.int64s([1, channels, 1])]); // [1, C, 1]
  const bias = g.node("Reshape", [g.initializer(`${scope}.bias`, norm.bias), g.int64s([1, channels, 1])]); // [1, C, 1]
  const scale = g.node("Mul", [inverseStd, weight]); // [B, C, 1]
  const shift = g.node("Sub", [bias, g.node("Mul", [scale, mean])]); // [B, C, 1]
  return g.node("Add", [g.node("Mul", [x, scale]), shift], {}, `${scope}/GroupNorm`); // [B, C, T]
}

/** Values summed per block before the block sums are summed in turn. */
export const BLOCK = 64;
/** Block levels: BLOCK³ = 262144 frames per final partial sum, so even hours of samples end in a short sum. */
const LEVELS = 3;

/**
 * Sum over channels and the frames where mask [B, T] is 1 of t [B, C, T] (or of its squares, with
 * ReduceSumSquare) → [B, 1, 1], in float32 but blockwise (see blockwiseRowSum). Channels are
 * summed first (C ≤ a few hundred, sequential is fine).
 */
function accurateSum(g: GraphBuilder, t: string, mask: string, channelSum: "ReduceSum" | "ReduceSumSquare" = "ReduceSum"): string {
  // At this opset ReduceSum takes its axes as an input, ReduceSumSquare as an attribute.
  const channels = channelSum === "ReduceSum"
    ? g.node("ReduceSum", [t, g.int64s([1])], { keepdims: attr.int(0) })
    : g.node("ReduceSumSquare", [t], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [B, T]
  const partial = g.node("Mul", [channels, mask]); // [B, T]
  return g.node("Reshape", [blockwiseRowSum(g, partial), g.int64s([-1, 1, 1])]); // [B, 1, 1]
}

/**
 * Sum of each row of rows [R, T] → [R, 1], in float32 but blockwise: onnxruntime sums a reduced
 * axis nearly sequentially, which over hundreds of thousands of values errs by ~1e-4 relative
 * (enough to flip codes after a norm), where torch's sums are exact to float32. Frames are summed
 * in blocks of BLOCK, LEVELS times, each level padded with zeros to a whole number of blocks.
 * `wholeBlocks`: the caller made n a multiple of BLOCK, so the first level (the only large one)
 * is a reshape, without the padded copy of every row.
 */
export function blockwiseRowSum(g: GraphBuilder, rows: string, wholeBlocks = false): string {
  let partial = rows; // [R, n]
  for (let level = 0; level < LEVELS; level++) {
    if (level === 0 && wholeBlocks) {
      partial = g.node("ReduceSum", [g.node("Reshape", [partial, g.int64s([0, -1, BLOCK])]), g.int64s([2])], { keepdims: attr.int(0) }); // [R, n/BLOCK]
      continue;
    }
    const length = dimSize(g, partial, 1); // [] = n
    const pad = g.node("Mod", [g.node("Sub", [g.scalarInt64(BLOCK), g.node("Mod", [length, g.scalarInt64(BLOCK)])]), g.scalarInt64(BLOCK)]); // [] = (−n) mod BLOCK
    const pads = g.node("Concat", [g.int64s([0, 0, 0]), g.node("Unsqueeze", [pad, g.int64s([0])])], { axis: attr.int(0) }); // [4]
    const blocks = g.node("Reshape", [g.node("Pad", [partial, pads]), g.int64s([0, -1, BLOCK])]); // [R, ⌈n/BLOCK⌉, BLOCK]
    partial = g.node("ReduceSum", [blocks, g.int64s([2])], { keepdims: attr.int(0) }); // [R, ⌈n/BLOCK⌉]
  }
  return g.node("ReduceSum", [partial, g.int64s([1])], { keepdims: attr.int(1) }); // [R, 1]
}
