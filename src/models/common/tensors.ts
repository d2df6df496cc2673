/** Float tensors prepared once at load: widened to float32, or transposed. */
import { DataType } from "../../onnx/builder.js";
import { float32Tensor, toFloat32, type TensorData } from "../../onnx/tensor.js";

/** The tensor itself when float32, else a float32 copy (released Whisper files store float16). */
export function widened(tensor: TensorData): TensorData {
  return tensor.dataType === DataType.FLOAT ? tensor : float32Tensor([...tensor.dims], toFloat32(tensor));
}

/** Side of the square tiles transposed at a time: a tile's rows and columns stay in cache. */
const TILE = 32;

/** [rows, columns] → [columns, rows], float32 (a half-precision tensor is widened on the way). */
export function transposed(tensor: TensorData): TensorData {
  const [rows, columns] = tensor.dims as [number, number];
  const source = toFloat32(tensor); // [rows, columns]
  const out = new Float32Array(rows * columns); // [columns, rows]
  // Tile by tile: element by element, every write of a large matrix would miss the cache.
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(r0 + TILE, rows);
    for (let c0 = 0; c0 < columns; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, columns);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = source[r * columns + c]!;
    }
  }
  return float32Tensor([columns, rows], out);
}
