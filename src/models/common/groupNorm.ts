/**
 * GroupNorm with one group (torch.nn.GroupNorm(1, C)) over a batch whose rows have their own
 * lengths: each row's mean and variance are taken over all channels and its REAL frames only, so
 * a row normalises as it would alone (upstream takes them over the padded batch, which changes a
 * shorter row). Frames past a row's length come out as garbage that nothing downstream reads.
 * B = batch, C = channels, T = frames.
 */
import { attr, DataType, type GraphBuilder } from "../../onnx/builder.js";
import type { TensorData } from "../../onnx/tensor.js";
import { dimSize, lengthMask, toFloat } from "./layers.js";

export interface GroupNormParams {
  /** [C] */
  weight: TensorData;
  /** [C] */
  bias: TensorData;
  epsilon: number;
}

/** x [B, C, T] with int64 lengths [B] → GroupNorm(1, C) of each row over its first lengths[b] frames. */
export function maskedGroupNorm(g: GraphBuilder, x: string, lengths: string, norm: GroupNormParams, scope: string): string {
  const channels = norm.weight.dims[0]!;
  const mask = g.node("Unsqueeze", [toFloat(g, lengthMask(g, lengths, dimSize(g, x, 2))), g.int64s([1])]); // [B, 1, T]
  // The sums run in float64: onnxruntime sums float32 nearly sequentially, which over C · T
  // values (hundreds of thousands) errs by ~1e-4 relative, where torch's are exact to float32.
  const toDouble = (t: string): string => g.node("Cast", [t], { to: attr.int(DataType.DOUBLE) });
  const count = g.node("Cast", [g.node("Mul", [lengths, g.scalarInt64(channels)])], { to: attr.int(DataType.DOUBLE) }); // [B] = C · L_b
  const countB = g.node("Reshape", [count, g.int64s([-1, 1, 1])]); // [B, 1, 1] float64
  const axes = g.int64s([1, 2]);
  const sum = g.node("ReduceSum", [toDouble(g.node("Mul", [x, mask])), axes], { keepdims: attr.int(1) }); // [B, 1, 1] float64
  const mean = g.node("Cast", [g.node("Div", [sum, countB])], { to: attr.int(DataType.FLOAT) }); // [B, 1, 1]
  const centered = g.node("Sub", [x, mean]); // [B, C, T]
  const maskedCentered = g.node("Mul", [centered, mask]); // [B, C, T]
  // Biased variance over the real frames, as torch's GroupNorm (two passes, not E[x²] − E[x]²).
  const squares = toDouble(g.node("Mul", [maskedCentered, maskedCentered])); // [B, C, T] float64
  const variance = g.node("Cast", [g.node("Div", [g.node("ReduceSum", [squares, axes], { keepdims: attr.int(1) }), countB])], { to: attr.int(DataType.FLOAT) }); // [B, 1, 1]
  const inverseStd = g.node("Reciprocal", [g.node("Sqrt", [g.node("Add", [variance, g.scalarFloat(norm.epsilon)])])]); // [B, 1, 1]
  const normalised = g.node("Mul", [centered, inverseStd]); // [B, C, T]
  const weight = g.node("Reshape", [g.initializer(`${scope}.weight`, norm.weight), g.int64s([1, channels, 1])]); // [1, C, 1]
  const bias = g.node("Reshape", [g.initializer(`${scope}.bias`, norm.bias), g.int64s([1, channels, 1])]); // [1, C, 1]
  return g.node("Add", [g.node("Mul", [normalised, weight]), bias], {}, `${scope}/GroupNorm`); // [B, C, T]
}
