/**
 * Reads a PyTorch checkpoint (torch zip or legacy format) into plain JavaScript values without
 * running any of its code. The file is read once into one Buffer; tensors are views into it
 * wherever their layout allows.
 */
import { readFile } from "node:fs/promises";
import { CheckpointFormatError, CheckpointTensorError } from "../errors.js";
import type { TensorData } from "../onnx/tensor.js";
import { isLegacyCheckpoint, readLegacyCheckpoint } from "./legacyFormat.js";
import { isTensorData } from "./unpickle.js";
import { isZip, readZipCheckpoint } from "./zipFormat.js";

export interface Checkpoint {
  /** The file, named in every error. */
  readonly path: string;
  /**
   * The unpickled object tree: dicts (OrderedDict included) as Map<string | number, unknown>,
   * lists and tuples as arrays, str/int/float/bool/None as JavaScript values (None is null),
   * tensors as TensorData.
   */
  readonly root: unknown;
  /**
   * The tensors of the dict found by following `keys` from the root (e.g. ["model", "repcodec"];
   * [] = the root), as name -> tensor; non-tensor entries are skipped. CheckpointTensorError
   * naming the file and the key path when a key is absent or not a dict.
   */
  stateDict(keys?: readonly string[]): Map<string, TensorData>;
}

function stateDictOf(path: string, root: unknown, keys: readonly string[]): Map<string, TensorData> {
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const next = node instanceof Map ? node.get(keys[i]) : undefined;
    if (next === undefined) {
      const where = keys.slice(0, i + 1).map((k) => `[${JSON.stringify(k)}]`).join("");
      throw new CheckpointTensorError(path, `dict ${where}`, "no such key in the checkpoint");
    }
    node = next;
  }
  if (!(node instanceof Map)) {
    throw new CheckpointTensorError(path, `dict ${JSON.stringify(keys)}`, "is not a dict in the checkpoint");
  }
  const tensors = new Map<string, TensorData>();
  for (const [name, value] of node) if (isTensorData(value)) tensors.set(String(name), value);
  return tensors;
}

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CheckpointFormatError(path, `cannot read the file (${(error as Error).message})`, { cause: error });
  }
  let root: unknown;
  if (isZip(bytes)) root = await readZipCheckpoint(bytes, path);
  else if (isLegacyCheckpoint(bytes)) root = readLegacyCheckpoint(bytes, path);
  else throw new CheckpointFormatError(path, "neither a torch zip nor a legacy torch.save file");
  return { path, root, stateDict: (keys = []) => stateDictOf(path, root, keys) };
}
