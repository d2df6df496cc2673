/**
 * Weights of the family-neutral layers, as views on a checkpoint's bytes (TensorData); shapes in
 * the comments, ONNX layout.
 */
import type { TensorData } from "../../onnx/tensor.js";

export interface LinearWeights {
  /** [in, out] (stored transposed, as in the release's MatMul). */
  weight: TensorData;
  /** [out], absent for the attention key projection. */
  bias?: TensorData;
}

export interface ConvWeights {
  /** [out, in / groups, kernel] */
  weight: TensorData;
  /** [out] */
  bias?: TensorData;
}

export interface LayerNormWeights {
  /** [D] */
  scale: TensorData;
  /** [D] */
  bias: TensorData;
  epsilon: number;
}
