/**
 * Where a model's large weights go when they leave the graph (ONNX external data): each tensor
 * of at least MIN_EXTERNAL_BYTES at a 4 KiB aligned offset of one data blob, the graph keeping
 * its name, shape and offset. Node writes the pieces to a side file (externalData.ts); a page
 * packs them into one buffer that onnxruntime-web reads the tensors from (packExternalData), so
 * the weights are never parsed out of a protobuf copy.
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
    const { rawData: _moved, ...rest } = tensor;
    initializers.push({
      ...rest,
      dataLocation: EXTERNAL,
      externalData: [
        { key: "location", value: dataName },
        { key: "offset", value: String(offset) },
        { key: "length", value: String(raw.byteLength) },
      ],
    });
    offset += raw.byteLength;
  }
  return { model: { ...model, graph: { ...model.graph!, initializer: initializers } }, pieces, size: offset };
}

/** The layout's data blob in memory (one copy of the moved weights). */
export function packExternalData(layout: ExternalLayout): Uint8Array {
  const data = new Uint8Array(layout.size);
  for (const piece of layout.pieces) data.set(piece.bytes, piece.offset);
  return data;
}

/** `model` serialised without its large weights, and those weights packed in one blob named `dataName`. */
export function splitExternalData(model: ModelProto, dataName: string): { graph: Uint8Array; data: Uint8Array } {
  const layout = externalLayout(model, dataName);
  return { graph: encodeModel(layout.model), data: packExternalData(layout) };
}
