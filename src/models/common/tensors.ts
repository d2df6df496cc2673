/** Float tensors prepared once at load: widened to float32, or transposed. */
import { DataType } from "../../onnx/builder.js";
import { float32Tensor, toFloat32, type TensorData } from "../../onnx/tensor.js";

/** The tensor itself when float32, else a float32 copy (released Whisper files store float16). */
export function widened(tensor: TensorData): TensorData {
  return tensor.dataType === DataType.FLOAT ? tensor : float32Tensor([...tensor.dims], toFloat32(tensor));
}

/** [rows, columns] → [columns, rows], float32. */
export function transposed(tensor: TensorData): TensorData {
  const [rows, columns] = tensor.dims as [number, number];
  const source = toFloat32(tensor); // [rows, columns]
  const out = new Float32Array(rows * columns); // [columns, rows]
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = source[r * columns + c]!;
  return float32Tensor([columns, rows], out);
}
