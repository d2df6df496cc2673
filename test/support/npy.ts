/**
 * Minimal reader for NumPy `.npy` files, enough for the conformance fixtures: format versions
 * 1.0 / 2.0 / 3.0, little-endian '<f4', '<f8', '<i4', '<i8', C order only; and a writer of
 * crafted ones for the tests of the package's own reader.
 */

import { readFileSync, writeFileSync } from "node:fs";

export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface NpyArray {
  shape: number[];
  dtype: "<f4" | "<f8" | "<i4" | "<i8";
  /** Flat row-major data; its shape is `shape`. */
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  if (!MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`${path}: not a .npy file`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // v1 has a 2-byte header length; v2 and v3 a 4-byte one (v3 only allows UTF-8 in the header).
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.subarray(headerStart, headerStart + headerLen).toString("utf8");

  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${path}: cannot parse .npy header ${header}`);
  }
  if (fortran !== "False") throw new Error(`${path}: fortran_order arrays are not supported`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);

  // Copy the payload into a fresh buffer: its offset in the file need not be aligned.
  const dataStart = headerStart + headerLen;
  const copy = (bytesPer: number): ArrayBuffer => {
    const end = dataStart + count * bytesPer;
    if (end > bytes.length) throw new Error(`${path}: truncated .npy data`);
    return bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + end);
  };
  switch (descr) {
    case "<f4":
      return { shape, dtype: descr, data: new Float32Array(copy(4)) };
    case "<f8":
      return { shape, dtype: descr, data: new Float64Array(copy(8)) };
    case "<i4":
      return { shape, dtype: descr, data: new Int32Array(copy(4)) };
    case "<i8":
      return { shape, dtype: descr, data: new BigInt64Array(copy(8)) };
    default:
      throw new Error(`${path}: unsupported .npy dtype ${descr}`);
  }
}

/** readNpy for a float32 array, failing loudly on any other dtype. */
export function readNpyF32(path: string): { shape: number[]; data: Float32Array } {
  const arr = readNpy(path);
  if (!(arr.data instanceof Float32Array)) throw new Error(`${path}: expected float32, got ${arr.dtype}`);
  return { shape: arr.shape, data: arr.data };
}

/**
 * The bytes of a .npy whose header is `header` as given (a Python dict literal, well formed or
 * not: tests craft it), padded as numpy pads it (the preamble and header a multiple of 64 bytes,
 * ending in a newline), followed by `data`. `major` 1 stores the header length in 2 bytes, 2 and 3 in 4.
 */
export function npyBytes(header: string, data: Uint8Array, major: 1 | 2 | 3 = 1): Buffer {
  const preambleLength = major === 1 ? 10 : 12;
  const text = Buffer.from(header, major === 3 ? "utf8" : "latin1");
  const padded = Buffer.concat([text, Buffer.from(" ".repeat(63 - ((preambleLength + text.length) % 64)) + "\n", "latin1")]);
  const preamble = Buffer.alloc(preambleLength);
  Buffer.from(MAGIC).copy(preamble);
  preamble[6] = major;
  if (major === 1) preamble.writeUInt16LE(padded.length, 8);
  else preamble.writeUInt32LE(padded.length, 8);
  return Buffer.concat([preamble, padded, data]);
}

/** Writes a float32 or float64 [rows, columns] C-order .npy of `values` (row-major). */
export function writeNpyMatrix(path: string, rows: number, columns: number, values: Float32Array | Float64Array, major: 1 | 2 | 3 = 1): void {
  const descr = values instanceof Float32Array ? "<f4" : "<f8";
  const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`;
  writeFileSync(path, npyBytes(header, new Uint8Array(values.buffer, values.byteOffset, values.byteLength), major));
}
