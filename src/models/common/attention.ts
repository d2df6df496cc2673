/**
 * Multi-head self-attention of one block, with the key padding bias, optional rotary embedding
 * (v2/v3) and optional FSMN memory (v2/v3). Shapes: B batch, T frames, D width, H heads, K head dim.
 */
import { attr, type GraphBuilder } from "../../onnx/builder.js";
import { linear, type LayerNormStyle, type Precision } from "./layers.js";
import type { FrameLayout } from "./framePacking.js";
import { applyRotary, type RotaryTables } from "./rotary.js";
import type { ConvWeights, LinearWeights } from "./weights.js";

/** The sizes attention needs. */
export interface AttentionDims {
  /** Model width D = heads · headDim. */
  width: number;
  heads: number;
  headDim: number;
}

/** One attention layer's projections; `fsmn` adds a depthwise memory on the values (S3 v2/v3). */
export interface AttentionWeights {
  query: LinearWeights;
  key: LinearWeights;
  value: LinearWeights;
  out: LinearWeights;
  /** Depthwise kernel [D, 1, K]. */
  fsmn?: ConvWeights;
}

export interface AttentionContext {
  g: GraphBuilder;
  dims: AttentionDims;
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
  /** Present: the attention core is one fused operator (see fusedAttentionCore). */
  fused?: FusedAttentionInputs;
  /** Heads whose scores are made at once by the composite core (all heads when absent). */
  headsPerGroup?: number;
}

/**
 * The extra head column of the fused attention core, built once per graph: a query column of
 * ones [B, T, H, 1] and a key column [B, T, H, 1] holding the key's padding bias (0 on frames,
 * −1e10 on padding). Appended to every head, they add the bias to each score inside the product:
 * [q, 1]·[k, b] = q·k + b.
 */
export interface FusedAttentionInputs {
  queryOnes: string;
  keyBiasColumn: string;
}

/**
 * Attention output for xn (already layer-normed, in the frame layout: [N, D] packed or
 * [B, T, D]): out(attn) (+ FSMN memory), in the same layout.
 */
export function selfAttention(ctx: AttentionContext, xn: string, block: AttentionWeights, scope: string): string {
  const { g, dims, frames } = ctx;
  const splitHeads = g.int64s([0, 0, dims.heads, dims.headDim]);
  const project = (weights: LinearWeights, name: string) =>
    frames.unpack(linear(g, xn, weights, `${scope}/${name}`, ctx.precision)); // [B, T, D]
  const valueFlat = project(block.value, "value"); // [B, T, D]
  // Named as the release's query reshape, whose shape constant tells the importer the head count.
  let query = g.node("Reshape", [project(block.query, "query"), splitHeads], {}, `${scope}/Reshape`); // [B, T, H, K]
  let key = g.node("Reshape", [project(block.key, "key"), splitHeads]); // [B, T, H, K]
  if (ctx.rotary) {
    query = applyRotary(g, query, ctx.rotary, dims.headDim);
    key = applyRotary(g, key, ctx.rotary, dims.headDim);
  }
  // Both q and k are scaled by K^-1/4 (not q by K^-1/2), as the reference does, for the same rounding.
  const scale = g.scalarFloat(Math.fround(Math.pow(dims.headDim, -0.25)));
  const scaledQuery = g.node("Mul", [query, scale]); // [B, T, H, K]
  const scaledKey = g.node("Mul", [key, scale]); // [B, T, H, K]
  const merged = ctx.fused
    ? fusedAttentionCore(ctx, ctx.fused, scaledQuery, scaledKey, valueFlat)
    : attentionCore(ctx, scaledQuery, scaledKey, valueFlat); // [B, T, D]
  const projected = linear(g, frames.pack(merged), block.out, `${scope}/out`, ctx.precision); // frame layout
  if (!block.fsmn) return projected;
  return g.node("Add", [projected, frames.pack(fsmnMemory(ctx, valueFlat, block.fsmn, `${scope}/fsmn_block/Conv`))]);
}

/**
 * softmax(q·kᵀ + key bias)·v from separate operators: scores [B, H, T, T] are written out whole,
 * or, with ctx.headsPerGroup, one group of heads at a time ([B, G, T, T] each; see webgpuPlan).
 * q, k [B, T, H, K] (scaled), valueFlat [B, T, D] → [B, T, D].
 */
function attentionCore(ctx: AttentionContext, query: string, key: string, valueFlat: string): string {
  const { g, dims } = ctx;
  const value = g.node("Reshape", [valueFlat, g.int64s([0, 0, dims.heads, dims.headDim])]); // [B, T, H, K]
  const q = g.node("Transpose", [query], { perm: attr.ints([0, 2, 1, 3]) }); // [B, H, T, K]
  const k = g.node("Transpose", [key], { perm: attr.ints([0, 2, 3, 1]) }); // [B, H, K, T]
  const v = g.node("Transpose", [value], { perm: attr.ints([0, 2, 1, 3]) }); // [B, H, T, K]
  const groupSize = ctx.headsPerGroup ?? dims.heads;
  let context: string; // [B, H, T, K]
  if (groupSize === dims.heads) {
    context = scoredContext(ctx, q, k, v);
  } else {
    // Slices, not one Split, and a Concat tree: a WebGPU shader binds few buffers (8 by default),
    // so no node here takes or makes more than GROUP_FAN_IN + 1 tensors.
    const parts: string[] = [];
    for (let start = 0; start < dims.heads; start += groupSize) {
      const slice = (x: string) => g.node("Slice", [x, g.int64s([start]), g.int64s([start + groupSize]), g.int64s([1])]); // [B, G, ·, ·]
      parts.push(scoredContext(ctx, slice(q), slice(k), slice(v))); // [B, G, T, K]
    }
    context = concatTree(g, parts, 1);
  }
  return g.node("Reshape", [
    g.node("Transpose", [context], { perm: attr.ints([0, 2, 1, 3]) }), // [B, T, H, K]
    g.int64s([0, 0, dims.width]),
  ]); // [B, T, D]
}

/** Most inputs of one Concat in concatTree (plus its output: the WebGPU default of 8 bindings). */
const GROUP_FAN_IN = 7;

/** Concat of `parts` along `axis`, as a tree of Concats of at most GROUP_FAN_IN inputs each. */
function concatTree(g: GraphBuilder, parts: string[], axis: number): string {
  let level = parts;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += GROUP_FAN_IN) {
      const chunk = level.slice(i, i + GROUP_FAN_IN);
      next.push(chunk.length === 1 ? chunk[0]! : g.node("Concat", chunk, { axis: attr.int(axis) }));
    }
    level = next;
  }
  return level[0]!;
}

/** softmax(q·k + key bias)·v for some heads: q [B, h, T, K], k [B, h, K, T], v [B, h, T, K] → [B, h, T, K]. */
function scoredContext(ctx: AttentionContext, q: string, k: string, v: string): string {
  const { g } = ctx;
  const scores = g.node("Add", [g.node("MatMul", [q, k]), ctx.keyBias]); // [B, h, T, T]
  const weights = g.node("Softmax", [scores], { axis: attr.int(-1) }); // [B, h, T, T]
  return g.node("MatMul", [weights, v]); // [B, h, T, K]
}

/**
 * The same in onnxruntime's MultiHeadAttention (com.microsoft), which on a CPU runs MLAS flash
 * attention: scores are made and used block by block in the L2 cache, never written out whole
 * (measured 1.13-1.23x faster than attentionCore at 500-1500 frames, 1 thread). Its flash path
 * takes no mask, so the key padding bias rides in an extra head column (FusedAttentionInputs);
 * the scale is 1 because q and k come scaled. q, k [B, T, H, K], valueFlat [B, T, D] → [B, T, D].
 */
function fusedAttentionCore(ctx: AttentionContext, fused: FusedAttentionInputs, query: string, key: string, valueFlat: string): string {
  const { g, dims } = ctx;
  const widened = g.int64s([0, 0, dims.heads * (dims.headDim + 1)]);
  const q = g.node("Reshape", [g.node("Concat", [query, fused.queryOnes], { axis: attr.int(3) }), widened]); // [B, T, H·(K+1)]
  const k = g.node("Reshape", [g.node("Concat", [key, fused.keyBiasColumn], { axis: attr.int(3) }), widened]); // [B, T, H·(K+1)]
  const [context] = g.nodeOutputs("MultiHeadAttention", [q, k, valueFlat], 1, {
    num_heads: attr.int(dims.heads),
    scale: attr.float(1),
  }, "MultiHeadAttention", "com.microsoft");
  return context!; // [B, T, D]
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
