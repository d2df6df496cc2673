/**
 * Upstream's feature-dump layout (RepCodec examples/dump_feature.py), as its `repcodec` command
 * reads it: `{rank}_{n_shard}.npy` float32 [ΣT, D] with every utterance's frames one after the
 * other, `{rank}_{n_shard}.len` with one T per line, and a tsv whose first line is the audio root
 * and then one `relpath<TAB>samples` line per utterance, in the dump's order.
 * Every inconsistency of counts and shapes is found here, from the .len files and the .npy headers,
 * before any token is written; the features are read an utterance at a time, as they are tokenized.
 */
import { join } from "node:path";
import { InvalidInputError } from "../../errors.js";
import { readRegularText } from "../../files/regularFile.js";
import { openFloatMatrix, type NpyMatrix } from "./npy.js";

export interface FeatureTsv {
  root: string;
  /** First column of each line after the root. */
  names: string[];
}

export interface Utterance {
  name: string;
  frames: number;
  /** Its [frames, width] features, row-major, read from the shard's .npy when called. */
  readFeatures(): Float32Array;
}

/** A dump's utterances, checked and in order; their features stay in the files until read. Close when done. */
export interface FeatureDump {
  root: string;
  utterances: Utterance[];
  close(): void;
}

/** A .len or tsv is text of one short line per utterance; past this it is not one. */
const MAX_LIST_BYTES = 256 * 2 ** 20;

function readText(path: string): string {
  return readRegularText(path, MAX_LIST_BYTES, (problem, cause) => new InvalidInputError(`${path}: ${problem}`, cause === undefined ? {} : { cause }));
}

/** The root line and the relative paths of a tsv (as upstream: first tab-separated column, stripped). */
export function readFeatureTsv(path: string): FeatureTsv {
  const lines = readText(path).split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (lines.length === 0) throw new InvalidInputError(`${path}: empty tsv: the first line must be the audio root`);
  return { root: lines[0]!.trim(), names: lines.slice(1).map((line) => line.trim().split("\t")[0]!) };
}

/** A shard's two files, named as dump_feature.py names them: `{rank}_{nshard}.npy` and `.len`. */
export function shardPaths(dir: string, rank: number, shards: number): { npy: string; len: string } {
  return { npy: join(dir, `${rank}_${shards}.npy`), len: join(dir, `${rank}_${shards}.len`) };
}

/**
 * One shard, checked from its .len and its .npy's header alone (lengths positive, summing to the
 * rows, `width` columns) before a row is read; the caller closes `matrix`.
 */
export function openShard(dir: string, rank: number, shards: number, width: number): { matrix: NpyMatrix; lengths: number[] } {
  const { npy: npyPath, len: lenPath } = shardPaths(dir, rank, shards);
  const lines = readText(lenPath).split("\n").map((l) => l.trim());
  if (lines.at(-1) === "") lines.pop();
  const lengths = lines.map((line, i) => {
    const t = Number(line);
    if (line === "" || !Number.isSafeInteger(t) || t < 1) throw new InvalidInputError(`${lenPath}: line ${i + 1} is "${line}", not a frame count ≥ 1`);
    return t;
  });
  const matrix = openFloatMatrix(npyPath);
  try {
    const total = lengths.reduce((a, b) => a + b, 0);
    if (total !== matrix.rows) {
      throw new InvalidInputError(`${lenPath}: the ${lengths.length} lengths sum to ${total} frames, but ${npyPath} has ${matrix.rows} rows`);
    }
    if (matrix.columns !== width) {
      throw new InvalidInputError(`${npyPath}: features are ${matrix.columns} wide, the model takes ${width} (its input_channels)`);
    }
  } catch (error) {
    matrix.close();
    throw error;
  }
  return { matrix, lengths };
}

/**
 * Every shard's utterances paired with the tsv's names, in order; a typed error naming both files
 * and both counts when they differ. Only headers and lengths are read here.
 */
export function openDump(dir: string, shards: number, tsvPath: string, width: number): FeatureDump {
  const tsv = readFeatureTsv(tsvPath);
  const matrices: NpyMatrix[] = [];
  const close = () => {
    for (const matrix of matrices) matrix.close();
  };
  try {
    const utterances: Utterance[] = [];
    for (let rank = 0; rank < shards; rank++) {
      const { matrix, lengths } = openShard(dir, rank, shards, width);
      matrices.push(matrix);
      let first = 0;
      for (const frames of lengths) {
        const start = first;
        utterances.push({ name: tsv.names[utterances.length] ?? "", frames, readFeatures: () => matrix.readRows(start, frames) });
        first += frames;
      }
    }
    if (utterances.length !== tsv.names.length) {
      throw new InvalidInputError(`${tsvPath}: lists ${tsv.names.length} utterances, but ${dir} holds ${utterances.length} (${shards} shard(s) of .len lines)`);
    }
    return { root: tsv.root, utterances, close };
  } catch (error) {
    close();
    throw error;
  }
}
