/**
 * Reads a 2-D C-order float `.npy` (versions 1.0-3.0), the layout upstream's feature dump writes
 * (NpyAppendArray), as upstream reads it: the header first, then only the rows asked for, straight
 * from the file (upstream memory-maps it), so a dump of any size costs the rows in use. float32
 * rows come as they are; float64 rows are converted to float32, as upstream's `.float()` does.
 * The header is parsed as the Python literal it is; its claims (dtype, order, shape) are checked
 * against the file's size before any data is read, and every row read is checked for NaN and
 * infinities. Anything else is a NpyFileError naming the file and what it holds.
 */
import { closeSync } from "node:fs";
import { openRegularFile, readExactly, type FileProblem } from "../../files/regularFile.js";
import { NonFiniteFeatureError, NpyFileError } from "./errors.js";
import { parsePythonLiteral, PythonDict, PythonLiteralError, PythonTuple } from "../common/pythonLiteral.js";

/** An open .npy of [rows, columns] floats; read rows with readRows, then close. */
export interface NpyMatrix {
  readonly path: string;
  readonly rows: number;
  readonly columns: number;
  readonly dtype: "<f4" | "<f8";
  /** Rows [first, first + count) as float32, row-major [count, columns]; checked finite. */
  readRows(first: number, count: number): Float32Array;
  close(): void;
}

const MAGIC = Buffer.from("\x93NUMPY", "latin1");
/** numpy's own bound on a header it will read (np.load's max_header_size). */
const MAX_HEADER_BYTES = 10_000;
/** Little-endian ("<") items, read in the host's order: little-endian on every platform Node ships for. */
const ITEM_BYTES = { "<f4": 4, "<f8": 8 } as const;
/** Rows are read this many bytes at a time at most (float64 goes through a scratch buffer this size). */
const READ_BYTES = 16 * 2 ** 20;

/** The header's dict, checked: exactly numpy's three keys, a float dtype this reader takes, C order, a 2-D shape. */
function checkedHeader(path: string, text: string): { dtype: "<f4" | "<f8"; rows: number; columns: number } {
  const expected = "a float32 (<f4) or float64 (<f8) 2-D C-order array";
  let header;
  try {
    header = parsePythonLiteral(text);
  } catch (error) {
    if (!(error instanceof PythonLiteralError)) throw error;
    throw new NpyFileError(path, `the header is not a Python dict literal (${error.message}): ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  if (!(header instanceof PythonDict)) throw new NpyFileError(path, `the header is not a dict: ${JSON.stringify(text.trim().slice(0, 200))}`);
  const keys = [...header.entries.keys()].sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    throw new NpyFileError(path, `the header's keys are ${JSON.stringify(keys)}; a .npy header has exactly descr, fortran_order and shape`);
  }
  const descr = header.entries.get("descr");
  if (descr !== "<f4" && descr !== "<f8") throw new NpyFileError(path, `expected ${expected}, the dtype (descr) is ${JSON.stringify(descr)}`);
  if (header.entries.get("fortran_order") !== false) {
    throw new NpyFileError(path, `expected ${expected}, fortran_order is ${JSON.stringify(header.entries.get("fortran_order"))}`);
  }
  const shape = header.entries.get("shape");
  const dims = shape instanceof PythonTuple ? shape.items : null;
  if (dims === null || dims.length !== 2 || !dims.every((d) => typeof d === "number" && d >= 0)) {
    throw new NpyFileError(path, `expected ${expected}, the shape is ${shape instanceof PythonTuple ? `(${shape.items.join(", ")})` : JSON.stringify(shape)}`);
  }
  return { dtype: descr, rows: dims[0] as number, columns: dims[1] as number };
}

/**
 * Opens a .npy and reads its header; the data is read by readRows. The data the header claims
 * must be in the file (a shorter file is refused here, before anything is allocated for it).
 */
export function openFloatMatrix(path: string): NpyMatrix {
  const problem: FileProblem = (text, cause) => new NpyFileError(path, text, cause === undefined ? {} : { cause });
  const { fd, size } = openRegularFile(path, problem);
  try {
    const preamble = Buffer.alloc(12);
    if (size < 10) throw new NpyFileError(path, `not a .npy file (${size} bytes)`);
    readExactly(fd, preamble.subarray(0, Math.min(12, size)), 0, problem);
    if (!preamble.subarray(0, 6).equals(MAGIC)) throw new NpyFileError(path, "not a .npy file (no \\x93NUMPY magic)");
    const major = preamble[6]!;
    if (major < 1 || major > 3) throw new NpyFileError(path, `.npy format version ${major}.${preamble[7]} is not one this reader knows (1.0-3.0)`);
    // Version 1 stores the header length in 2 bytes, versions 2 and 3 in 4.
    const headerStart = major === 1 ? 10 : 12;
    const headerLength = major === 1 ? preamble.readUInt16LE(8) : preamble.readUInt32LE(8);
    if (headerLength > MAX_HEADER_BYTES) throw new NpyFileError(path, `the header claims ${headerLength} bytes; at most ${MAX_HEADER_BYTES} are read`);
    const dataStart = headerStart + headerLength;
    if (dataStart > size) throw new NpyFileError(path, `the header claims ${headerLength} bytes, the file ends at ${size}`);
    const headerBytes = Buffer.alloc(headerLength);
    readExactly(fd, headerBytes, headerStart, problem);
    // Versions 1 and 2 write the header in latin-1, version 3 in UTF-8.
    const { dtype, rows, columns } = checkedHeader(path, headerBytes.toString(major === 3 ? "utf8" : "latin1"));
    const itemBytes = ITEM_BYTES[dtype];
    const rowBytes = columns * itemBytes;
    const dataBytes = rows * rowBytes;
    if (!Number.isSafeInteger(dataBytes) || size - dataStart < dataBytes) {
      throw new NpyFileError(path, `truncated: [${rows}, ${columns}] ${dtype} needs ${dataBytes} data bytes, the file has ${size - dataStart}`);
    }
    return {
      path,
      rows,
      columns,
      dtype,
      readRows(first, count) {
        if (!Number.isSafeInteger(first) || !Number.isSafeInteger(count) || first < 0 || count < 0 || first + count > rows) {
          throw new RangeError(`${path}: rows [${first}, ${first + count}) are outside its ${rows} rows`);
        }
        const out = new Float32Array(count * columns); // [count, columns]
        const outBytes = new Uint8Array(out.buffer);
        // A scratch buffer of whole rows for float64; float32 rows land in `out` directly.
        const rowsPerRead = Math.max(1, Math.floor(READ_BYTES / Math.max(1, rowBytes)));
        const scratch = dtype === "<f8" ? new Float64Array(Math.min(count, rowsPerRead) * columns) : null;
        for (let done = 0; done < count; done += rowsPerRead) {
          const n = Math.min(rowsPerRead, count - done);
          const position = dataStart + (first + done) * rowBytes;
          if (scratch === null) {
            readExactly(fd, outBytes.subarray(done * rowBytes, (done + n) * rowBytes), position, problem);
          } else {
            readExactly(fd, new Uint8Array(scratch.buffer, 0, n * rowBytes), position, problem);
            out.set(scratch.subarray(0, n * columns), done * columns);
          }
        }
        checkFinite(path, out, first, columns);
        return out;
      },
      close() {
        closeSync(fd);
      },
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Refuses NaN and ±Infinity, naming the file's row and column of the first one. */
function checkFinite(path: string, values: Float32Array, firstRow: number, columns: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new NonFiniteFeatureError(path, firstRow + Math.floor(i / columns), i % columns, values[i]!);
  }
}
