/**
 * Plain TypeScript views of the ONNX protobuf messages this project reads and writes.
 * protobufjs decodes into objects of these shapes; int64 fields arrive as numbers or Long
 * objects, which `toNumber` (tensor.ts) turns into numbers.
 */

export type Int64Like = number | { toNumber(): number } | string;

export interface TensorProto {
  name?: string;
  dims?: Int64Like[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64Like[];
  doubleData?: number[];
  /** With dataLocation EXTERNAL (1): "location", "offset", "length" of the bytes in a side file. */
  externalData?: { key: string; value: string }[];
  dataLocation?: number;
}

export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: Int64Like;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: Int64Like[];
  strings?: Uint8Array[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute?: AttributeProto[];
}

export interface TensorShapeDimension {
  dimValue?: Int64Like;
  dimParam?: string;
}

export interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: TensorShapeDimension[] } } };
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
}

export interface ModelProto {
  irVersion?: Int64Like;
  opsetImport?: { domain?: string; version?: Int64Like }[];
  producerName?: string;
  producerVersion?: string;
  graph?: GraphProto;
  metadataProps?: { key: string; value: string }[];
}

/** ONNX TensorProto.DataType values used here. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;

/** ONNX AttributeProto.AttributeType values used here. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
} as const;
