/**
 * Upstream's feature-dump layout (RepCodec examples/dump_feature.py), as its `repcodec` command
 * reads it: `{rank}_{n_shard}.npy` float32 [ΣT, D] with every utterance's frames one after the
 * other, `{rank}_{n_shard}.len` with one T per line, and a tsv whose first line is the audio root
 * and then one `relpath<TAB>samples` line per utterance, in the dump's order.
 * Every inconsistency is found here, before any token is written.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../../errors.js";
import { readFloat32Matrix } from "./npy.js";

export interface FeatureTsv {
  root: string;
  /** First column of each line after the root. */
  names: string[];
}

export interface Utterance {
  name: string;
  /** [frames, width] row-major: a view into the shard. */
  features: Float32Array;
  frames: number;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidInputError(`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The root line and the relative paths of a tsv (as upstream: first tab-separated column, stripped). */
export function readFeatureTsv(path: string): FeatureTsv {
  const lines = readText(path).split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) throw new InvalidInputError(`${path}: empty tsv: the first line must be the audio root`);
  return { root: lines[0]!.trim(), names: lines.slice(1).map((line) => line.trim().split("\t")[0]!) };
}

/** One shard's utterances, checked: lengths positive, summing to the .npy's rows, of `width` columns. */
export function readShard(dir: string, rank: number, shards: number, width: number): { features: Float32Array[]; lengths: number[]; npyPath: string } {
  const npyPath = join(dir, `${rank}_${shards}.npy`);
  const lenPath = join(dir, `${rank}_${shards}.len`);
  const lines = readText(lenPath).split("\n").map((l) => l.trim());
  if (lines.at(-1) === "") lines.pop();
  const lengths = lines.map((line, i) => {
    const t = Number(line);
    if (line === "" || !Number.isInteger(t) || t < 1) throw new InvalidInputError(`${lenPath}: line ${i + 1} is "${line}", not a frame count ≥ 1`);
    return t;
  });
  const matrix = readFloat32Matrix(npyPath);
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total !== matrix.rows) {
    throw new InvalidInputError(`${lenPath}: the ${lengths.length} lengths sum to ${total} frames, but ${npyPath} has ${matrix.rows} rows`);
  }
  if (matrix.columns !== width) {
    throw new InvalidInputError(`${npyPath}: features are ${matrix.columns} wide, the model takes ${width} (its input_channels)`);
  }
  const features: Float32Array[] = [];
  let offset = 0;
  for (const t of lengths) {
    features.push(matrix.data.subarray(offset * width, (offset + t) * width));
    offset += t;
  }
  return { features, lengths, npyPath };
}

/**
 * Every shard's utterances paired with the tsv's names, in order; a typed error naming both files
 * and both counts when they differ.
 */
export function readDump(dir: string, shards: number, tsvPath: string, width: number): { root: string; utterances: Utterance[] } {
  const tsv = readFeatureTsv(tsvPath);
  const utterances: Utterance[] = [];
  for (let rank = 0; rank < shards; rank++) {
    const shard = readShard(dir, rank, shards, width);
    shard.features.forEach((features, i) => utterances.push({ name: tsv.names[utterances.length] ?? "", features, frames: shard.lengths[i]! }));
  }
  if (utterances.length !== tsv.names.length) {
    throw new InvalidInputError(`${tsvPath}: lists ${tsv.names.length} utterances, but ${dir} holds ${utterances.length} (${shards} shard(s) of .len lines)`);
  }
  return { root: tsv.root, utterances };
}
