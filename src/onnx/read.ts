/**
 * Reading an ONNX file: the whole file is read once into one Buffer, then decoded (decode.ts)
 * with the weights as views into it.
 */
import { readFile, stat } from "node:fs/promises";
import { ModelFormatError } from "../errors.js";
import { decodeModel } from "./decode.js";
import type { ModelProto } from "./types.js";

export { decodeModel };

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
