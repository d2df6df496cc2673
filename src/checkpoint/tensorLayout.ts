/**
 * A tensor out of its storage: element offset, sizes and strides as torch's _rebuild_tensor_v2
 * receives them. Contiguous tensors stay views on the storage's bytes; strided ones are copied
 * into a contiguous (row-major) buffer.
 */
import { CheckpointFormatError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";

export interface TensorLayout {
  /** Offset of element [0, ...] in the storage, in elements. */
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

/** Row-major strides of `size`. */
export function contiguousStrides(size: readonly number[]): number[] {
  const strides = new Array<number>(size.length);
  let step = 1;
  for (let i = size.length - 1; i >= 0; i--) {
    strides[i] = step;
    step *= size[i]!;
  }
  return strides;
}

function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  const expected = contiguousStrides(size);
  // A dimension of extent 1 is never stepped over, so its stride does not matter.
  return size.every((extent, i) => extent === 1 || stride[i] === expected[i]);
}

/**
 * The tensor (dataType, width bytes per element) laid out by `layout` in `storage` (the storage's
 * bytes). `what` names the tensor in errors ("storage 3 of file.pt").
 */
export function tensorFromStorage(
  storage: Uint8Array,
  dataType: number,
  width: number,
  layout: TensorLayout,
  path: string,
  what: string,
): TensorData {
  const { offset, size, stride } = layout;
  if (size.length !== stride.length || ![offset, ...size, ...stride].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new CheckpointFormatError(path, `${what}: invalid layout (offset ${offset}, size [${size}], stride [${stride}])`);
  }
  const count = size.reduce((a, b) => a * b, 1);
  const dims = [...size];
  if (count === 0) return { dataType, dims, bytes: new Uint8Array(0) };
  // Index of the last element reached, which must lie inside the storage.
  const last = offset + size.reduce((sum, extent, i) => sum + (extent - 1) * stride[i]!, 0);
  const elements = Math.floor(storage.byteLength / width);
  if (last >= elements) {
    throw new CheckpointFormatError(
      path,
      `${what}: tensor [${size}] at offset ${offset} with strides [${stride}] reaches element ${last}, ` +
        `but its storage holds ${elements}`,
    );
  }
  if (isContiguous(size, stride)) {
    return { dataType, dims, bytes: storage.subarray(offset * width, (offset + count) * width) };
  }
  const out = new Uint8Array(count * width);
  const index = new Array<number>(size.length).fill(0);
  for (let n = 0; n < count; n++) {
    let element = offset;
    for (let d = 0; d < size.length; d++) element += index[d]! * stride[d]!;
    out.set(storage.subarray(element * width, (element + 1) * width), n * width);
    for (let d = size.length - 1; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return { dataType, dims, bytes: out };
}
