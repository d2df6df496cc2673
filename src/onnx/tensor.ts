/**
 * A weight tensor taken out of an ONNX file, kept as a view on the file's bytes whenever the
 * file stores it as raw_data, so that importing a 1 GB model does not copy its weights.
 */
import { DataType, type Int64Like, type TensorProto } from "./types.js";

export function toNumber(value: Int64Like | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return Number(value);
  return value.toNumber();
}

/** An immutable tensor: element type, dims, and little-endian bytes (often a view). */
export interface TensorData {
  readonly dataType: number;
  readonly dims: readonly number[];
  /** Little-endian element bytes; a view into the source file when it had raw_data. */
  readonly bytes: Uint8Array;
}

const BYTES_PER_ELEMENT: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.BFLOAT16]: 2,
};

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, d) => product * d, 1);
}

/**
 * Turns a TensorProto into TensorData. raw_data is used as a view; the typed repeated fields
 * (float_data, int32_data, int64_data, double_data) are packed into new bytes, which only small
 * tensors use in practice. Returns null for tensors whose data is external or absent.
 */
export function tensorFromProto(proto: TensorProto): TensorData | null {
  const dataType = proto.dataType ?? 0;
  const dims = (proto.dims ?? []).map(toNumber);
  const count = elementCount(dims);
  const width = BYTES_PER_ELEMENT[dataType];
  if (width === undefined || proto.dataLocation === 1) return null;
  if (proto.rawData && proto.rawData.length > 0) {
    if (proto.rawData.length !== count * width) return null;
    return { dataType, dims, bytes: proto.rawData };
  }
  if (count === 0) return { dataType, dims, bytes: new Uint8Array(0) };
  let typed: ArrayBufferView | null = null;
  if (dataType === DataType.FLOAT && proto.floatData?.length === count) {
    typed = Float32Array.from(proto.floatData);
  } else if (dataType === DataType.DOUBLE && proto.doubleData?.length === count) {
    typed = Float64Array.from(proto.doubleData);
  } else if (dataType === DataType.INT64 && proto.int64Data?.length === count) {
    typed = BigInt64Array.from(proto.int64Data, (v) => BigInt(toNumber(v)));
  } else if (proto.int32Data?.length === count) {
    // int32_data also carries int8/uint8/bool/int32 per the ONNX spec.
    typed = width === 4 ? Int32Array.from(proto.int32Data) : Uint8Array.from(proto.int32Data);
  }
  if (typed === null) return null;
  return { dataType, dims, bytes: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) };
}

/** Float32 view of a FLOAT tensor's data (copies only when the bytes are misaligned). */
export function asFloat32(tensor: TensorData): Float32Array {
  const { bytes } = tensor;
  if (bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }
  return new Float32Array(new Uint8Array(bytes).buffer); // copy: Buffer#slice would be a view
}

/** float32 value of an IEEE binary16 bit pattern (subnormals, infinities and NaN included). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

/**
 * Float32 values of a FLOAT, FLOAT16 or BFLOAT16 tensor (checkpoints saved in half precision).
 * FLOAT is asFloat32's view; the half types are widened into a new array. Throws for other types.
 */
export function toFloat32(tensor: TensorData): Float32Array {
  if (tensor.dataType === DataType.FLOAT) return asFloat32(tensor);
  const { bytes } = tensor;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 2);
  if (tensor.dataType === DataType.FLOAT16) {
    for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  if (tensor.dataType === DataType.BFLOAT16) {
    // bfloat16 is the top half of a float32: shift its bits into place.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(2 * i, true) << 16;
    return out;
  }
  throw new TypeError(`toFloat32: ONNX data type ${tensor.dataType} is not a float type`);
}

/** Integer values of an INT32 or INT64 tensor, as numbers. */
export function asIntegers(tensor: TensorData): number[] {
  const copy = new Uint8Array(tensor.bytes); // aligned copy (Buffer#slice is a view)
  if (tensor.dataType === DataType.INT64) return Array.from(new BigInt64Array(copy.buffer), Number);
  if (tensor.dataType === DataType.INT32) return Array.from(new Int32Array(copy.buffer));
  return [];
}

export function float32Tensor(dims: number[], values: Float32Array): TensorData {
  return {
    dataType: DataType.FLOAT,
    dims,
    bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

export function int64Tensor(dims: number[], values: readonly number[]): TensorData {
  const typed = BigInt64Array.from(values, (v) => BigInt(v));
  return { dataType: DataType.INT64, dims, bytes: new Uint8Array(typed.buffer) };
}
