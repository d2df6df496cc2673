/**
 * Writing a model with its large weights in a side file (ONNX external data, laid out by
 * externalLayout.ts): the graph file keeps names, shapes and offsets; the data file holds the raw
 * bytes, each tensor at a 4 KiB aligned offset. onnxruntime maps such a file into memory instead of parsing the weights out of
 * a protobuf, so a session opens about twice as fast and without a transient copy of every weight
 * on the heap (which, with two sessions, stayed resident: ~0.7 GB more for v3).
 */
import { open } from "node:fs/promises";
import { basename } from "node:path";
import { encodeModel } from "./encode.js";
import { externalLayout } from "./externalLayout.js";
import type { ModelProto } from "./types.js";

export interface ExternalDataSizes {
  graphBytes: number;
  dataBytes: number;
}

/**
 * Writes `model` to `graphPath` and its large initializers to `dataPath`, which must sit in the
 * same directory; the graph refers to the data file by `dataName` (its final base name, so that
 * both may be written under temporary names and renamed). `model` itself is not changed.
 */
export async function writeModelWithExternalData(
  model: ModelProto,
  graphPath: string,
  dataPath: string,
  dataName: string = basename(dataPath),
): Promise<ExternalDataSizes> {
  const layout = externalLayout(model, dataName);
  const data = await open(dataPath, "w");
  let written = 0;
  try {
    for (const piece of layout.pieces) {
      if (piece.offset > written) await data.write(new Uint8Array(piece.offset - written));
      await data.write(piece.bytes);
      written = piece.offset + piece.bytes.byteLength;
    }
  } finally {
    await data.close();
  }
  const graphBytes = encodeModel(layout.model);
  const graph = await open(graphPath, "w");
  try {
    await graph.write(graphBytes);
  } finally {
    await graph.close();
  }
  return { graphBytes: graphBytes.byteLength, dataBytes: layout.size };
}
