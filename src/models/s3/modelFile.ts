/**
 * From a released tokenizer file to the batched graph: read (one copy of the weights), import
 * by structure, build with the version's builder (releasedGraph.ts), serialise.
 */
import { batchedGraphOf, type BatchedGraph, type BatchedModel, type GraphTarget, type ModelMode } from "./releasedGraph.js";
import { readModelFile } from "../../onnx/read.js";
import { encodeModel } from "../../onnx/encode.js";

export type { BatchedGraph, BatchedModel, GraphTarget, ModelInfo, ModelMode } from "./releasedGraph.js";

/** Reads a released S3Tokenizer ONNX file and builds its batched graph. */
export async function buildBatchedGraph(path: string, mode: ModelMode = "exact", target: GraphTarget = "portable"): Promise<BatchedGraph> {
  const { model } = await readModelFile(path);
  return batchedGraphOf(model, path, mode, target);
}

/** Reads a released S3Tokenizer ONNX file and returns its batched graph, serialised. */
export async function buildBatchedModel(path: string, mode: ModelMode = "exact", target: GraphTarget = "portable"): Promise<BatchedModel> {
  const { info, graph } = await buildBatchedGraph(path, mode, target);
  return { info, bytes: encodeModel(graph) };
}
