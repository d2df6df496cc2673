/**
 * Multi-head self-attention of one block, with the key padding bias, optional rotary embedding
 * (v2/v3) and optional FSMN memory (v2/v3). Shapes: B batch, T frames, D width, H heads, K head dim.
 */
import { attr, type GraphBuilder } from "../onnx/builder.js";
import { linear, type LayerNormStyle, type Precision } from "./layers.js";
import type { FrameLayout } from "./framePacking.js";
import { applyRotary, type RotaryTables } from "./rotary.js";
import type { BlockWeights, ConvWeights, ModelDims } from "./weights.js";

export interface AttentionContext {
  g: GraphBuilder;
  dims: ModelDims;
  /** Additive key bias [B, 1, 1, T]: 0 on frames, −1e10 on padding. */
  keyBias: string;
  /** Float padding mask [B, T, 1]: 1 on frames, 0 on padding. */
  padMask: string;
  /** v2/v3 rotary tables; absent for v1. */
  rotary?: RotaryTables;
  layerNormStyle: LayerNormStyle;
  /** Precision of the projections and the MLP (attention products stay fp32). */
  precision: Precision;
  /** Where the per-frame layers run: packed real frames [N, D] or padded [B, T, D]. */
  frames: FrameLayout;
}

/**
 * Attention output for xn (already layer-normed, in the frame layout: [N, D] packed or
 * [B, T, D]): out(attn) (+ FSMN memory), in the same layout.
 */
export function selfAttention(ctx: AttentionContext, xn: string, block: BlockWeights, scope: string): string {
  const { g, dims, frames } = ctx;
  const splitHeads = g.int64s([0, 0, dims.heads, dims.headDim]);
  const project = (weights: BlockWeights["query"], name: string) =>
    frames.unpack(linear(g, xn, weights, `${scope}/${name}`, ctx.precision)); // [B, T, D]
  const valueFlat = project(block.value, "value"); // [B, T, D]
  // Named as the release's query reshape, whose shape constant tells the importer the head count.
  let query = g.node("Reshape", [project(block.query, "query"), splitHeads], {}, `${scope}/Reshape`); // [B, T, H, K]
  let key = g.node("Reshape", [project(block.key, "key"), splitHeads]); // [B, T, H, K]
  const value = g.node("Reshape", [valueFlat, splitHeads]); // [B, T, H, K]
  if (ctx.rotary) {
    query = applyRotary(g, query, ctx.rotary, dims.headDim);
    key = applyRotary(g, key, ctx.rotary, dims.headDim);
  }
  // Both q and k are scaled by K^-1/4 (not q by K^-1/2), as the reference does, for the same rounding.
  const scale = g.scalarFloat(Math.fround(Math.pow(dims.headDim, -0.25)));
  const q = g.node("Mul", [g.node("Transpose", [query], { perm: attr.ints([0, 2, 1, 3]) }), scale]); // [B, H, T, K]
  const k = g.node("Mul", [g.node("Transpose", [key], { perm: attr.ints([0, 2, 3, 1]) }), scale]); // [B, H, K, T]
  const v = g.node("Transpose", [value], { perm: attr.ints([0, 2, 1, 3]) }); // [B, H, T, K]
  const scores = g.node("Add", [g.node("MatMul", [q, k]), ctx.keyBias]); // [B, H, T, T]
  const weights = g.node("Softmax", [scores], { axis: attr.int(-1) }); // [B, H, T, T]
  const context = g.node("MatMul", [weights, v]); // [B, H, T, K]
  const merged = g.node("Reshape", [
    g.node("Transpose", [context], { perm: attr.ints([0, 2, 1, 3]) }), // [B, T, H, K]
    g.int64s([0, 0, dims.width]),
  ]); // [B, T, D]
  const projected = linear(g, frames.pack(merged), block.out, `${scope}/out`, ctx.precision); // frame layout
  if (!block.fsmn) return projected;
  return g.node("Add", [projected, frames.pack(fsmnMemory(ctx, valueFlat, block.fsmn, `${scope}/fsmn_block/Conv`))]);
}

/**
 * FSMN memory: m = v · mask; m' = (depthwise conv of m, zero padded, + m) · mask. [B, T, D].
 */
function fsmnMemory(ctx: AttentionContext, valueFlat: string, fsmn: ConvWeights, nodeName: string): string {
  const { g, dims } = ctx;
  const kernel = fsmn.weight.dims[2]!;
  const left = Math.floor((kernel - 1) / 2);
  const memory = g.node("Mul", [valueFlat, ctx.padMask]); // [B, T, D]
  const channelsFirst = g.node("Transpose", [memory], { perm: attr.ints([0, 2, 1]) }); // [B, D, T]
  const filtered = g.node("Conv", [channelsFirst, g.initializer(`${nodeName}.weight`, fsmn.weight)], {
    group: attr.int(dims.width),
    kernel_shape: attr.ints([kernel]),
    pads: attr.ints([left, kernel - 1 - left]),
  }, nodeName); // [B, D, T]
  const timeFirst = g.node("Transpose", [filtered], { perm: attr.ints([0, 2, 1]) }); // [B, T, D]
  return g.node("Mul", [g.node("Add", [timeFirst, memory]), ctx.padMask]); // [B, T, D]
}
