/**
 * Reads a PyTorch checkpoint file: read once into one Buffer, parsed by parseCheckpoint.ts with
 * tensors as views into it wherever their layout allows.
 */
import { parseCheckpoint, type Checkpoint } from "./parseCheckpoint.js";
import { readWholeFile } from "./readWholeFile.js";

export type { Checkpoint } from "./parseCheckpoint.js";

export async function readCheckpoint(path: string): Promise<Checkpoint> {
  return parseCheckpoint(await readWholeFile(path), path);
}
