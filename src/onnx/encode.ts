/** Serialising a ModelProto to bytes (one copy of the weights, into the output buffer). */
import { ModelProtoType } from "./schema.js";
import type { ModelProto } from "./types.js";

export function encodeModel(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(model as Record<string, unknown>)).finish();
}
