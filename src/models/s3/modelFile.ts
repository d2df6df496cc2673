/**
 * From a released tokenizer file to the batched graph: read (one copy of the weights), import
 * by structure, build with the version's builder, serialise.
 */
import { MODEL_BUILDERS } from "./builders.js";
import { BATCHED_LAYOUT, FAST_LAYOUT, type GraphLayout } from "./tokenizerGraph.js";
import { webGpuPlan } from "./webgpuPlan.js";
import type { S3Weights } from "./weights.js";
import { importWeights } from "./importWeights.js";
import { readModelFile } from "../../onnx/read.js";
import type { ModelProto } from "../../onnx/types.js";
import { encodeModel } from "../../onnx/write.js";

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

/** Reads a released S3Tokenizer ONNX file and builds its batched graph. */
export async function buildBatchedGraph(path: string, mode: ModelMode = "exact", target: GraphTarget = "portable"): Promise<BatchedGraph> {
  const { model } = await readModelFile(path);
  const weights = importWeights(model, path);
  const graph = MODEL_BUILDERS[weights.version].build(weights, layoutFor(mode, target, weights));
  return { info: { source: path, version: weights.version, dims: weights.dims }, graph };
}

/** Reads a released S3Tokenizer ONNX file and returns its batched graph, serialised. */
export async function buildBatchedModel(path: string, mode: ModelMode = "exact", target: GraphTarget = "portable"): Promise<BatchedModel> {
  const { info, graph } = await buildBatchedGraph(path, mode, target);
  return { info, bytes: encodeModel(graph) };
}
