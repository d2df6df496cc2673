/** Taking a named tensor of a known shape out of a state dict, with a typed error otherwise. */
import { CheckpointTensorError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";

/** The tensor `name` with exactly `shape`; CheckpointTensorError naming file, tensor, its shape and the expected one. */
export function requireTensor(
  dict: ReadonlyMap<string, TensorData>,
  name: string,
  shape: readonly number[],
  file: string,
): TensorData {
  const tensor = dict.get(name);
  if (tensor === undefined) {
    throw new CheckpointTensorError(file, name, `missing (expected shape [${shape.join(", ")}])`);
  }
  const same = tensor.dims.length === shape.length && tensor.dims.every((d, i) => d === shape[i]);
  if (!same) {
    throw new CheckpointTensorError(file, name, `shape [${tensor.dims.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return tensor;
}
