/**
 * Reads a float32 2-D C-order `.npy` (versions 1.0-3.0), the layout upstream's feature dump writes
 * (NpyAppendArray). Anything else is a typed error naming the file and what it holds.
 */
import { readFileSync } from "node:fs";
import { InvalidInputError } from "../../errors.js";

export interface Matrix {
  rows: number;
  columns: number;
  /** Row-major [rows, columns]. */
  data: Float32Array;
}

const MAGIC = "\x93NUMPY";

export function readFloat32Matrix(path: string): Matrix {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InvalidInputError(`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (bytes.length < 10 || bytes.subarray(0, 6).toString("latin1") !== MAGIC) throw new InvalidInputError(`${path}: not a .npy file`);
  const major = bytes[6]!;
  // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
  const headerStart = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const header = bytes.subarray(headerStart, headerStart + headerLength).toString("utf8");
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1]?.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (descr !== "<f4" || fortran !== "False" || shape?.length !== 2) {
    throw new InvalidInputError(`${path}: expected a float32 (<f4) 2-D C-order array, the header says ${header.trim()}`);
  }
  const [rows, columns] = shape as [number, number];
  const start = headerStart + headerLength;
  const expected = rows * columns * 4;
  if (bytes.length - start < expected) {
    throw new InvalidInputError(`${path}: truncated: [${rows}, ${columns}] float32 needs ${expected} data bytes, the file has ${bytes.length - start}`);
  }
  // Copy into an aligned buffer: the data offset need not be a multiple of 4.
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + expected));
  return { rows, columns, data };
}
