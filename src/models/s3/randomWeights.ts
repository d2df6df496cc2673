/**
 * Seeded random weights of any size for a given version: what the benchmark times (speed does
 * not depend on the values) and what fixture-free tests import. Values are scaled by
 * 1/sqrt(fan-in) so activations stay in a realistic range through the blocks.
 */
import { float32Tensor, type TensorData } from "../../onnx/tensor.js";
import type { BlockWeights, LayerNormWeights, LinearWeights, ModelDims, ModelVersion, S3Weights } from "./weights.js";
import { normalSource } from "../common/seededRandom.js";

export interface RandomModelShape {
  version: ModelVersion;
  nMels: number;
  width: number;
  heads: number;
  layers: number;
  conv1Stride: number;
  /** VQ codebook size (v1 only; FSQ has 3^8). */
  codebookSize?: number;
  /** Rows of the v1 position table (1500 in the releases). */
  contextFrames?: number;
}

/** The released models' shapes: 128 mels, width 1280, 20 heads, 6 blocks (12 for v3). */
export const FULL_SIZE: Record<"v1" | "v1_25hz" | "v2" | "v3", RandomModelShape> = {
  v1: { version: "v1", nMels: 128, width: 1280, heads: 20, layers: 6, conv1Stride: 1, codebookSize: 4096, contextFrames: 1500 },
  v1_25hz: { version: "v1", nMels: 128, width: 1280, heads: 20, layers: 6, conv1Stride: 2, codebookSize: 4096, contextFrames: 1500 },
  v2: { version: "v2", nMels: 128, width: 1280, heads: 20, layers: 6, conv1Stride: 2 },
  v3: { version: "v3", nMels: 128, width: 1280, heads: 20, layers: 12, conv1Stride: 2 },
};


export function randomWeights(shape: RandomModelShape, seed = 1): S3Weights {
  const normal = normalSource(seed);
  const tensor = (dims: number[], scale: number, offset = 0): TensorData => {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = offset + scale * normal();
    return float32Tensor(dims, values);
  };
  const D = shape.width;
  const mlp = 4 * D;
  const linear = (inputs: number, outputs: number, bias = true): LinearWeights => ({
    weight: tensor([inputs, outputs], 1 / Math.sqrt(inputs)), // [in, out]
    bias: bias ? tensor([outputs], 0.02) : undefined, // [out]
  });
  const norm = (): LayerNormWeights => ({ scale: tensor([D], 0.05, 1), bias: tensor([D], 0.02), epsilon: 1e-5 });
  const v1 = shape.version === "v1";
  const blocks: BlockWeights[] = Array.from({ length: shape.layers }, () => ({
    attnLn: norm(),
    query: linear(D, D),
    key: linear(D, D, false),
    value: linear(D, D),
    out: linear(D, D),
    fsmn: v1 ? undefined : { weight: tensor([D, 1, 31], 1 / Math.sqrt(31)) }, // [D, 1, 31]
    mlpLn: norm(),
    mlpUp: linear(D, mlp),
    mlpDown: linear(mlp, D),
  }));
  const codebookSize = v1 ? shape.codebookSize ?? 4096 : 3 ** 8;
  const dims: ModelDims = {
    nMels: shape.nMels,
    width: D,
    heads: shape.heads,
    headDim: D / shape.heads,
    layers: shape.layers,
    mlpWidth: mlp,
    conv1Stride: shape.conv1Stride,
    codebookSize,
    tokenRate: 100 / (shape.conv1Stride * 2),
  };
  return {
    version: shape.version,
    dims,
    conv1: { weight: tensor([D, shape.nMels, 3], 1 / Math.sqrt(3 * shape.nMels)), bias: tensor([D], 0.02) }, // [D, M, 3]
    conv2: { weight: tensor([D, D, 3], 1 / Math.sqrt(3 * D)), bias: tensor([D], 0.02) }, // [D, D, 3]
    positionalEmbedding: v1 ? tensor([shape.contextFrames ?? 1500, D], 0.5) : undefined, // [ctx, D]
    blocks,
    quantizer: v1
      ? { kind: "vq", codebook: tensor([D, codebookSize], 1) } // [D, C]
      : { kind: "fsq", projection: linear(D, 8), scale: Math.fround(0.999), levels: 3 },
  };
}
