/**
 * The torch storage classes a checkpoint may name (torch.FloatStorage, ...), with the ONNX element
 * type and width of their bytes. Facts from torch/storage.py: the pickle names the legacy typed
 * storage class even in torch 2.x files, so these names cover every torch version.
 */
import { DataType } from "../onnx/types.js";

export interface StorageType {
  /** The class name, e.g. "FloatStorage". */
  readonly name: string;
  /** ONNX DataType of the elements. */
  readonly dataType: number;
  /** Bytes per element. */
  readonly width: number;
}

const TYPES: readonly StorageType[] = [
  { name: "FloatStorage", dataType: DataType.FLOAT, width: 4 },
  { name: "HalfStorage", dataType: DataType.FLOAT16, width: 2 },
  { name: "BFloat16Storage", dataType: DataType.BFLOAT16, width: 2 },
  { name: "DoubleStorage", dataType: DataType.DOUBLE, width: 8 },
  // Integer and bool storages hold buffers (RepCodec/FunCodec int64 step counters, masks) as data.
  { name: "LongStorage", dataType: DataType.INT64, width: 8 },
  { name: "IntStorage", dataType: DataType.INT32, width: 4 },
  { name: "ShortStorage", dataType: DataType.INT16, width: 2 },
  { name: "CharStorage", dataType: DataType.INT8, width: 1 },
  { name: "ByteStorage", dataType: DataType.UINT8, width: 1 },
  { name: "BoolStorage", dataType: DataType.BOOL, width: 1 },
];

/** Storage classes by name ("FloatStorage" -> its type). */
export const STORAGE_TYPES: ReadonlyMap<string, StorageType> = new Map(TYPES.map((t) => [t.name, t]));

/** The storage type for an ONNX data type (the writer's direction). */
export function storageTypeOf(dataType: number): StorageType | undefined {
  return TYPES.find((t) => t.dataType === dataType);
}
