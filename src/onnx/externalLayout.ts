/**
 * Where a model's large weights go when they leave the graph (ONNX external data), the graph
 * keeping each tensor's name, shape and offset. Node writes them to a side file, each tensor of
 * at least MIN_EXTERNAL_BYTES at a 4 KiB aligned offset so that onnxruntime can map it
 * (externalLayout, externalData.ts). A page leaves them where they are (inPlaceLayout): each
 * tensor points into the buffer its bytes already live in (the downloaded file's, for weights
 * imported as views), and onnxruntime-web reads it from there, so the weights are neither parsed
 * out of a protobuf copy nor packed into another.
 */
import { encodeModel } from "./encode.js";
import type { ModelProto, TensorProto } from "./types.js";

/** TensorProto.DataLocation.EXTERNAL */
const EXTERNAL = 1;
/** Tensors smaller than this stay in the graph file (shape constants, biases of small layers). */
const MIN_EXTERNAL_BYTES = 4096;
/** Offsets aligned to the page size, so each tensor can be mapped and read in place. */
const ALIGNMENT = 4096;

export interface ExternalLayout {
  /** The model with its large initializers pointing at `dataName` (the input model is not changed). */
  model: ModelProto;
  /** Each moved tensor's bytes and its offset in the data blob. */
  pieces: { offset: number; bytes: Uint8Array }[];
  /** Bytes of the data blob. */
  size: number;
}

/** `tensor` with its raw bytes replaced by a reference to `length` bytes at `offset` of `location`. */
function externalTensor(tensor: TensorProto, location: string, offset: number): TensorProto {
  const { rawData, ...rest } = tensor;
  return {
    ...rest,
    dataLocation: EXTERNAL,
    externalData: [
      { key: "location", value: location },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(rawData!.byteLength) },
    ],
  };
}

/** The layout of `model`'s large initializers in a data blob the graph names `dataName`. */
export function externalLayout(model: ModelProto, dataName: string): ExternalLayout {
  let offset = 0;
  const pieces: ExternalLayout["pieces"] = [];
  const initializers: TensorProto[] = [];
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (!raw || raw.byteLength < MIN_EXTERNAL_BYTES) {
      initializers.push(tensor);
      continue;
    }
    offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
    pieces.push({ offset, bytes: raw });
    initializers.push(externalTensor(tensor, dataName, offset));
    offset += raw.byteLength;
  }
  return { model: { ...model, graph: { ...model.graph!, initializer: initializers } }, pieces, size: offset };
}

/** A named buffer the graph's external tensors point into. */
export interface ExternalFile {
  path: string;
  data: Uint8Array;
}

/**
 * `model` serialised with each large initializer pointing into the buffer its bytes are a view
 * of, and those buffers (whole, not copied) under the names the graph gives them.
 */
export function inPlaceLayout(model: ModelProto): { graph: Uint8Array; files: ExternalFile[] } {
  const names = new Map<ArrayBufferLike, string>();
  const initializers = (model.graph?.initializer ?? []).map((tensor) => {
    const raw = tensor.rawData;
    if (!raw || raw.byteLength < MIN_EXTERNAL_BYTES) return tensor;
    let name = names.get(raw.buffer);
    if (name === undefined) names.set(raw.buffer, (name = `weights-${names.size}.bin`));
    return externalTensor(tensor, name, raw.byteOffset);
  });
  const graph = encodeModel({ ...model, graph: { ...model.graph!, initializer: initializers } });
  return { graph, files: [...names].map(([buffer, path]) => ({ path, data: new Uint8Array(buffer) })) };
}
