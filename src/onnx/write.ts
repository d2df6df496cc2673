/** Writing a ModelProto to a file (serialised by encode.ts). */
import { writeFile } from "node:fs/promises";
import { encodeModel } from "./encode.js";
import type { ModelProto } from "./types.js";

export { encodeModel };

export async function writeModelFile(path: string, model: ModelProto): Promise<void> {
  await writeFile(path, encodeModel(model));
}
