/**
 * Decoding ONNX bytes. protobufjs decodes bytes fields (raw_data) as views into the given bytes,
 * so the weights are never copied again.
 */
import { ModelFormatError } from "../errors.js";
import { ModelProtoType } from "./schema.js";
import type { ModelProto } from "./types.js";

/** Decodes ONNX bytes; `source` names the input in errors. */
export function decodeModel(bytes: Uint8Array, source: string): ModelProto {
  if (bytes.length === 0) throw new ModelFormatError(source, "the file is empty");
  let decoded: unknown;
  try {
    decoded = ModelProtoType.decode(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelFormatError(source, `protobuf decoding failed (truncated or not ONNX): ${reason}`, {
      cause: error,
    });
  }
  const model = decoded as ModelProto;
  if (!model.graph || model.graph.node.length === 0) {
    throw new ModelFormatError(source, "no graph with nodes in it");
  }
  return model;
}
