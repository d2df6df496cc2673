/**
 * From a released tokenizer's decoded ONNX model to the batched graph: import by structure,
 * build with the version's builder. No file access: Node reads the file (modelFile.ts), a page
 * hands over the downloaded bytes (web/).
 */
import { MODEL_BUILDERS } from "./builders.js";
import { BATCHED_LAYOUT, FAST_LAYOUT, type GraphLayout } from "./tokenizerGraph.js";
import { webGpuPlan } from "./webgpuPlan.js";
import type { S3Weights } from "./weights.js";
import { importWeights } from "./importWeights.js";
import type { ModelProto } from "../../onnx/types.js";

/**
 * "exact": fp32, the same tokens as the released files. "fast": int8 projections and MLP
 * (DynamicQuantizeMatMul), several times faster on CPUs with VNNI, with some tokens flipped.
 */
export type ModelMode = "exact" | "fast";

/**
 * Which operators the batched graph may use. "cpu": the attention core is onnxruntime's
 * MultiHeadAttention, which its CPU provider runs as flash attention (1-3 % faster in exact
 * mode, 4-7 % in fast mode, same tokens). "portable": standard ONNX operators only, for CUDA
 * and for exported files. "webgpu": standard operators, with the attention scores made a few
 * heads at a time so that none outgrows a WebGPU binding (see models/webgpuPlan.ts).
 * (The fast mode's int8 products are onnxruntime's either way.)
 */
export type GraphTarget = "cpu" | "portable" | "webgpu";

/** The layout of `mode` for `target` and these weights. */
function layoutFor(mode: ModelMode, target: GraphTarget, weights: S3Weights): GraphLayout {
  const layout: GraphLayout = { ...(mode === "fast" ? FAST_LAYOUT : BATCHED_LAYOUT), attention: target === "cpu" ? "fused" : "composite" };
  if (target === "webgpu") layout.headsPerGroup = webGpuPlan(weights.dims, weights.version).headsPerGroup;
  return layout;
}

export interface ModelInfo {
  /** The released file this model was built from. */
  source: string;
  version: S3Weights["version"];
  dims: S3Weights["dims"];
}

export interface BatchedModel {
  info: ModelInfo;
  /** The batched graph, serialised ONNX. */
  bytes: Uint8Array;
}

export interface BatchedGraph {
  info: ModelInfo;
  /** The batched graph; its weights are views into the released file's bytes. */
  graph: ModelProto;
}

/** The batched graph of a decoded released model; `source` names it in errors and in the info. */
export function batchedGraphOf(model: ModelProto, source: string, mode: ModelMode = "exact", target: GraphTarget = "portable"): BatchedGraph {
  const weights = importWeights(model, source);
  const graph = MODEL_BUILDERS[weights.version].build(weights, layoutFor(mode, target, weights));
  return { info: { source, version: weights.version, dims: weights.dims }, graph };
}
