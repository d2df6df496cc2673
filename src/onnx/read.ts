/**
 * Reading an ONNX file. The whole file is read once into one Buffer; protobufjs then decodes
 * bytes fields (raw_data) as views into that Buffer, so the weights are never copied again.
 */
import { readFile, stat } from "node:fs/promises";
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

/** Reads and decodes an ONNX file. */
export async function readModelFile(path: string): Promise<{ model: ModelProto; bytes: Buffer }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new ModelFormatError(path, "the file does not exist or cannot be read", { cause: error });
  }
  if (!info.isFile()) throw new ModelFormatError(path, "not a regular file");
  const bytes = await readFile(path);
  return { model: decodeModel(bytes, path), bytes };
}
