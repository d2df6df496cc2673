/**
 * Parses a PyTorch checkpoint (torch zip or legacy format) held in memory into plain JavaScript
 * values without running any of its code. Tensors are views into the given bytes wherever their
 * layout allows. No file access: Node reads the file (readCheckpoint.ts), a page hands over the
 * downloaded bytes.
 */
import { CheckpointFormatError, CheckpointTensorError, TokenizerError } from "../errors.js";
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

/** The checkpoint in `bytes` (the whole file); `path` names it in every error. */
export async function parseCheckpoint(bytes: Uint8Array, path: string): Promise<Checkpoint> {
  let root: unknown;
  try {
    if (isZip(bytes)) root = await readZipCheckpoint(bytes, path);
    else if (isLegacyCheckpoint(bytes)) root = readLegacyCheckpoint(bytes, path);
    else throw new CheckpointFormatError(path, "neither a torch zip nor a legacy torch.save file");
  } catch (error) {
    // Anything untyped here comes from a pickle that builds odd objects: still a damaged file.
    if (error instanceof TokenizerError) throw error;
    throw new CheckpointFormatError(path, `damaged checkpoint (${(error as Error).message})`, { cause: error });
  }
  return { path, root, stateDict: (keys = []) => stateDictOf(path, root, keys) };
}
