/**
 * Writes upstream's feature-dump layout (RepCodec examples/dump_feature.py, fairseq's
 * simple_kmeans dump_hubert_feature.py) byte for byte: `{rank}_{nshard}.npy`, a version-1.0 .npy of
 * float32 [ΣT, D] that grows as utterances are appended (NpyAppendArray; its header is numpy's,
 * padded to 64 bytes, rewritten with the final row count at close), and `{rank}_{nshard}.len`
 * with one T per line. A shard's utterances are the tsv lines `shardRange` picks, as upstream.
 * dumpLayout.ts reads what this writes.
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { InvalidInputError } from "../../errors.js";
import { shardPaths } from "./dumpLayout.js";

/** numpy's .npy alignment: magic, version, header length and header together are a multiple of this. */
const NPY_ALIGN = 64;

/** The version-1.0 .npy header of a C-order little-endian float32 [rows, columns] array, as numpy writes it. */
export function float32MatrixHeader(rows: number, columns: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  const unpadded = 10 + dict.length + 1; // magic (6) + version (2) + length (2) + dict + "\n"
  const padded = Math.ceil(unpadded / NPY_ALIGN) * NPY_ALIGN;
  const header = Buffer.alloc(padded, 0x20);
  header.write("\x93NUMPY\x01\x00", 0, "latin1");
  header.writeUInt16LE(padded - 10, 8);
  header.write(dict, 10, "latin1");
  header[padded - 1] = 0x0a;
  return header;
}

/**
 * The utterances [start, end) of `total` that shard `rank` of `shards` dumps: round(total / shards · rank)
 * to round(total / shards · (rank + 1)), with Python's round (halves to even), as get_shard_range.
 */
export function shardRange(total: number, shards: number, rank: number): { start: number; end: number } {
  if (!Number.isSafeInteger(shards) || shards < 1 || !Number.isSafeInteger(rank) || rank < 0 || rank >= shards) {
    throw new InvalidInputError(`rank ${rank} of ${shards} shards: the rank must be an integer in [0, ${shards})`);
  }
  const pythonRound = (x: number): number => {
    const floor = Math.floor(x);
    const fraction = x - floor;
    if (fraction !== 0.5) return fraction < 0.5 ? floor : floor + 1;
    return floor % 2 === 0 ? floor : floor + 1;
  };
  const start = pythonRound((total / shards) * rank);
  const end = pythonRound((total / shards) * (rank + 1));
  if (start >= end) throw new InvalidInputError(`rank ${rank} of ${shards} shards gets no utterance of ${total} (upstream refuses this too)`);
  return { start, end };
}

/** One shard's .npy and .len, written as utterances come; close() finishes the header. */
export class FeatureDumpWriter {
  private rows = 0;
  private readonly headerBytes: number;

  private constructor(
    readonly npyPath: string,
    readonly lenPath: string,
    readonly width: number,
    private readonly npy: number,
    private readonly len: number,
  ) {
    this.headerBytes = float32MatrixHeader(0, width).length;
    writeSync(this.npy, float32MatrixHeader(0, width));
  }

  /** Creates `dir` and the shard's files (replacing earlier ones, as dump_feature.py does). */
  static open(dir: string, rank: number, shards: number, width: number): FeatureDumpWriter {
    if (!Number.isSafeInteger(width) || width < 1) throw new InvalidInputError(`feature width ${width} is not a positive integer`);
    mkdirSync(dir, { recursive: true });
    const { npy, len } = shardPaths(dir, rank, shards);
    rmSync(npy, { force: true });
    const npyFd = openSync(npy, "w");
    try {
      return new FeatureDumpWriter(npy, len, width, npyFd, openSync(len, "w"));
    } catch (error) {
      closeSync(npyFd);
      throw error;
    }
  }

  /** Appends one utterance's features [T, D] (row-major float32) and its T. */
  append(features: Float32Array): void {
    if (features.length === 0 || features.length % this.width !== 0) {
      throw new InvalidInputError(`${this.npyPath}: ${features.length} values are not whole frames of ${this.width}`);
    }
    writeSync(this.npy, new Uint8Array(features.buffer, features.byteOffset, features.byteLength), 0, features.byteLength, this.headerBytes + this.rows * this.width * 4);
    this.rows += features.length / this.width;
    writeSync(this.len, `${features.length / this.width}\n`);
  }

  /** Rewrites the header with the row count and closes both files. */
  close(): void {
    try {
      const header = float32MatrixHeader(this.rows, this.width);
      if (header.length !== this.headerBytes) throw new InvalidInputError(`${this.npyPath}: ${this.rows} rows do not fit the header`);
      writeSync(this.npy, header, 0, header.length, 0);
    } finally {
      closeSync(this.npy);
      closeSync(this.len);
    }
  }
}
