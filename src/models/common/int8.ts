/**
 * The opt-in fast mode's weight quantization: each column of a [in, out] MatMul weight gets its
 * own symmetric int8 scale (max |w| / 127, zero point 0). onnxruntime's DynamicQuantizeMatMul
 * quantizes the activations per call and runs the product in int8 (VNNI on recent x86).
 */
import { DataType } from "../../onnx/builder.js";
import { asFloat32, float32Tensor, type TensorData } from "../../onnx/tensor.js";

export interface QuantizedWeight {
  /** int8 [in, out] */
  values: TensorData;
  /** float32 [out]: w ≈ values · scale per column */
  scales: TensorData;
  /** int8 [out], all zero (symmetric) */
  zeroPoints: TensorData;
}

export function quantizeColumns(weight: TensorData): QuantizedWeight {
  const [rows, cols] = weight.dims as [number, number];
  const w = asFloat32(weight); // [in, out]
  const scales = new Float32Array(cols); // [out]
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) scales[c] = Math.max(scales[c]!, Math.abs(w[r * cols + c]!));
  }
  for (let c = 0; c < cols; c++) scales[c] = scales[c]! > 0 ? scales[c]! / 127 : 1;
  const q = new Int8Array(rows * cols); // [in, out]
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(w[r * cols + c]! / scales[c]!)));
  }
  return {
    values: { dataType: DataType.INT8, dims: [rows, cols], bytes: new Uint8Array(q.buffer) },
    scales: float32Tensor([cols], scales),
    zeroPoints: { dataType: DataType.INT8, dims: [cols], bytes: new Uint8Array(cols) },
  };
}
