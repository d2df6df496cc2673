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
 * Refuses a layout that does not fit its storage of `elements` elements: every claim (offset,
 * sizes, strides) must be a count, a dimension of extent > 1 must step forward (a stride of 0
 * repeats one element, the way a 16384×16384 tensor over one float would ask for 1 GiB), the last
 * element reached must lie inside the storage, and the tensor may not have more elements than the
 * storage (only overlapping views do, which a state dict never holds): so a copy is never larger
 * than the storage's own bytes.
 */
function checkLayout(layout: TensorLayout, elements: number, path: string, what: string): void {
  const { offset, size, stride } = layout;
  const invalid = (problem: string): CheckpointFormatError =>
    new CheckpointFormatError(path, `${what}: tensor [${size}] at offset ${offset} with strides [${stride}] ${problem}`);
  if (size.length !== stride.length || ![offset, ...size, ...stride].every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw new CheckpointFormatError(path, `${what}: invalid layout (offset ${offset}, size [${size}], stride [${stride}])`);
  }
  if (size.includes(0)) return; // no element is ever read
  let count = 1;
  let last = offset;
  for (let d = 0; d < size.length; d++) {
    const extent = size[d]!;
    if (extent === 1) continue;
    if (stride[d] === 0) throw invalid(`repeats one element along dimension ${d} (stride 0 over extent ${extent})`);
    count *= extent;
    last += (extent - 1) * stride[d]!;
    if (count > elements) {
      throw invalid(`has more elements than its storage's ${elements} (overlapping views, which a state dict never holds)`);
    }
    if (last >= elements) break;
  }
  if (last >= elements) throw invalid(`reaches element ${last}, but its storage holds ${elements}`);
}

/** Copies the strided tensor out in row-major order: whole rows where the last dimension is contiguous. */
function copyStrided(storage: Uint8Array, width: number, layout: TensorLayout, count: number): Uint8Array {
  const { offset, size, stride } = layout;
  const out = new Uint8Array(count * width);
  const rank = size.length;
  const rowLength = rank === 0 ? 1 : size[rank - 1]!;
  const rowStride = rank === 0 ? 1 : stride[rank - 1]!;
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let written = 0; written < out.length; ) {
    let element = offset;
    for (let d = 0; d < rank - 1; d++) element += index[d]! * stride[d]!;
    if (rowStride === 1 || rowLength === 1) {
      out.set(storage.subarray(element * width, (element + rowLength) * width), written);
      written += rowLength * width;
    } else {
      for (let i = 0; i < rowLength; i++, element += rowStride) {
        const from = element * width;
        for (let b = 0; b < width; b++) out[written++] = storage[from + b]!;
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      if (++index[d]! < size[d]!) break;
      index[d] = 0;
    }
  }
  return out;
}

/**
 * The tensor (dataType, width bytes per element) laid out by `layout` in `storage` (the storage's
 * bytes), checked against the storage first. `what` names the tensor in errors.
 */
export function tensorFromStorage(
  storage: Uint8Array,
  dataType: number,
  width: number,
  layout: TensorLayout,
  path: string,
  what: string,
): TensorData {
  checkLayout(layout, Math.floor(storage.byteLength / width), path, what);
  const { offset, size, stride } = layout;
  const count = size.reduce((a, b) => a * b, 1);
  const dims = [...size];
  if (count === 0) return { dataType, dims, bytes: new Uint8Array(0) };
  if (isContiguous(size, stride)) {
    return { dataType, dims, bytes: storage.subarray(offset * width, (offset + count) * width) };
  }
  return { dataType, dims, bytes: copyStrided(storage, width, layout, count) };
}
