/**
 * From a released tokenizer file to the batched graph: read (one copy of the weights), import
 * by structure, build with the version's builder, serialise.
 */
import { MODEL_BUILDERS } from "./models/index.js";
import type { S3Weights } from "./models/weights.js";
import { importWeights } from "./onnx/importWeights.js";
import { readModelFile } from "./onnx/read.js";
import { encodeModel } from "./onnx/write.js";

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

/** Reads a released S3Tokenizer ONNX file and returns its batched graph. */
export async function buildBatchedModel(path: string): Promise<BatchedModel> {
  const { model } = await readModelFile(path);
  const weights = importWeights(model, path);
  const bytes = encodeModel(MODEL_BUILDERS[weights.version].build(weights));
  return { info: { source: path, version: weights.version, dims: weights.dims }, bytes };
}
