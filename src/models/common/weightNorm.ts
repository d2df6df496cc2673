/**
 * Weight-norm folding (torch.nn.utils.weight_norm with dim=0), done once when importing:
 * weight = g · v / ‖v‖, the norm taken over every axis but 0. For a Conv1d v is [out, in, k];
 * for a ConvTranspose1d it is [in, out, k], so axis 0 is the INPUT channel there. Either way the
 * arithmetic is the same: each slice along axis 0 is scaled by g[i] / ‖v[i]‖.
 */
import { asFloat32, elementCount, float32Tensor, type TensorData } from "../../onnx/tensor.js";

/** Folded weight of v's shape from g [n, 1, 1] and v [n, ...]. */
export function foldWeightNorm(g: TensorData, v: TensorData): TensorData {
  const gains = asFloat32(g); // [n]
  const direction = asFloat32(v); // [n, ...]
  const rows = v.dims[0]!;
  const width = elementCount(v.dims) / rows;
  const out = new Float32Array(direction.length);
  for (let i = 0; i < rows; i++) {
    let sumSquares = 0;
    for (let j = 0; j < width; j++) sumSquares += direction[i * width + j]! ** 2;
    // Torch computes the norm and the scale in float32; rounding each step keeps us next to it.
    const scale = Math.fround(gains[i]! / Math.fround(Math.sqrt(sumSquares)));
    for (let j = 0; j < width; j++) out[i * width + j] = direction[i * width + j]! * scale;
  }
  return float32Tensor([...v.dims], out);
}
