/** Serialising a ModelProto to bytes (one copy of the weights, into the output buffer). */
import { writeFile } from "node:fs/promises";
import { ModelProtoType } from "./schema.js";
import type { ModelProto } from "./types.js";

export function encodeModel(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(ModelProtoType.fromObject(model as Record<string, unknown>)).finish();
}

export async function writeModelFile(path: string, model: ModelProto): Promise<void> {
  await writeFile(path, encodeModel(model));
}
