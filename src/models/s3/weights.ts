/**
 * The weights and dimensions of one S3Tokenizer, as imported from a released file. Tensors are
 * TensorData views on the file's bytes; shapes are given in the comments in ONNX layout.
 */
import type { TensorData } from "../../onnx/tensor.js";
import type { ConvWeights, LayerNormWeights, LinearWeights } from "../common/weights.js";
import type { QuantizerWeights } from "../common/quantizers.js";
import type { TransformerBlockWeights } from "../common/transformerBlock.js";
import type { EncoderDims } from "../common/encoderDims.js";

export type { ConvWeights, LayerNormWeights, LinearWeights, QuantizerWeights };

/** v1: VQ codebook, position table (50 Hz and 25 Hz releases). v2/v3: RoPE, FSMN memory, FSQ. */
export type ModelVersion = "v1" | "v2" | "v3";

/** An S3 encoder's dimensions: the shared encoder's, and its quantizer's. */
export interface ModelDims extends EncoderDims {
  /** Number of distinct token values (4096 VQ codes, or 3^8 FSQ codes). */
  codebookSize: number;
  /** Tokens per second: 100 mel frames / (conv1 stride · conv2 stride 2). */
  tokenRate: number;
}

/** One encoder block: the shared Transformer block (attention, FSMN for v2/v3, MLP). */
export type BlockWeights = TransformerBlockWeights;

export interface S3Weights {
  version: ModelVersion;
  dims: ModelDims;
  conv1: ConvWeights;
  conv2: ConvWeights;
  /** v1 only: [contextFrames, D] */
  positionalEmbedding?: TensorData;
  blocks: BlockWeights[];
  quantizer: QuantizerWeights;
}
