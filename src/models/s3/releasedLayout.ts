/**
 * Writes a tokenizer in the released files' layout: batch-1 graph with inputs feats [1, M, T]
 * and feats_length [1], output indices, the releases' node names, and each release's storage
 * quirks (decomposed LayerNorm in v1 and v3, Constant-node weights in v3). The importer reads it
 * like a real release; the benchmark runs it the way CosyVoice runs the real ones.
 */
import { MODEL_BUILDERS } from "./builders.js";
import type { GraphLayout } from "./tokenizerGraph.js";
import type { S3Weights } from "./weights.js";
import { encodeModel } from "../../onnx/encode.js";

export function releasedLayoutOf(version: S3Weights["version"]): GraphLayout {
  return {
    io: "released",
    layerNorm: version === "v2" ? "fused" : "decomposed",
    weightsAsConstantNodes: version === "v3",
  };
}

/** Serialised ONNX of `weights` in the release layout of their version. */
export function encodeReleasedLayout(weights: S3Weights): Uint8Array {
  return encodeModel(MODEL_BUILDERS[weights.version].build(weights, releasedLayoutOf(weights.version)));
}
