/**
 * A Conv1d as one matrix product over time-major frames: the k taps of every output frame laid
 * side by side ("unfolded", [B, T', k·C]) times the kernel laid out as [k·C, out]. Why: on a CPU
 * onnxruntime's Conv over [B, C, T] ran well below its MatMul's speed on the same products, and
 * the unfolded form also takes the fast mode's int8 product (DynamicQuantizeMatMul).
 * B = batch, T = input frames, T' = output frames, C = input channels, D = output channels.
 */
import { attr, type GraphBuilder } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";

/**
 * x [B, T, C] → [B, T', k·C] with column j·C + c = x[b, stride·t + j, c]: tap j of output frame t
 * is input frame stride·t + j. `outFrames` is T' (a scalar int64), so the caller chooses the
 * padding (a valid convolution: (T − k) // stride + 1).
 */
export function unfoldTaps(g: GraphBuilder, x: string, kernel: number, stride: number, outFrames: string): string {
  const lastStart = g.node("Mul", [g.node("Sub", [outFrames, g.scalarInt64(1)]), g.scalarInt64(stride)]); // [] = stride · (T' − 1)
  const taps = Array.from({ length: kernel }, (_, j) => {
    const end = g.node("Unsqueeze", [g.node("Add", [lastStart, g.scalarInt64(j + 1)]), g.int64s([0])]); // [1]
    return g.node("Slice", [x, g.int64s([j]), end, g.int64s([1]), g.int64s([stride])]); // [B, T', C]
  });
  return kernel === 1 ? taps[0]! : g.node("Concat", taps, { axis: attr.int(2) }); // [B, T', k·C]
}

/** A Conv1d kernel [D, C, k] laid out for unfoldTaps' columns: [k·C, D], row j·C + c. */
export function unfoldedKernel(weight: TensorData): TensorData {
  const [outChannels, inChannels, kernel] = weight.dims as [number, number, number];
  const values = asFloat32(weight); // [D, C, k]
  const laidOut = new Float32Array(kernel * inChannels * outChannels); // [k·C, D]
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      for (let j = 0; j < kernel; j++) laidOut[(j * inChannels + c) * outChannels + o] = values[(o * inChannels + c) * kernel + j]!;
    }
  }
  return float32Tensor([kernel * inChannels, outChannels], laidOut);
}

/** Frames (or int64 lengths of any shape) after a valid convolution: (L − k) // stride + 1. */
export function validConvLength(g: GraphBuilder, lengths: string, kernel: number, stride: number): string {
  return g.node("Add", [g.node("Div", [g.node("Sub", [lengths, g.scalarInt64(kernel)]), g.scalarInt64(stride)]), g.scalarInt64(1)]);
}
