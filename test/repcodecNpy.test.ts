/**
 * RepCodec's `.npy` reader on crafted files: the header parsed as the Python literal it is (a key's
 * text inside a string is not the key), float64 converted, NaN and infinities refused naming the
 * row, claims checked against the file before any data is read, special files refused at once,
 * and a file past 2 GiB read in pieces (a sparse file: no disk is used).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdtempSync, openSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidInputError } from "../src/errors.js";
import { NonFiniteFeatureError, NpyFileError } from "../src/models/repcodec/errors.js";
import { openFloatMatrix } from "../src/models/repcodec/npy.js";
import { parsePythonLiteral, PythonDict, PythonLiteralError, PythonTuple } from "../src/models/common/pythonLiteral.js";
import { npyBytes, writeNpyMatrix } from "./support/npy.js";

const scratch = () => mkdtempSync(join(tmpdir(), "repcodec-npy-"));

/** All rows of a .npy through the package's reader. */
function readAll(path: string): { rows: number; columns: number; data: Float32Array } {
  const matrix = openFloatMatrix(path);
  try {
    return { rows: matrix.rows, columns: matrix.columns, data: matrix.readRows(0, matrix.rows) };
  } finally {
    matrix.close();
  }
}

/** The error `fn` throws, checked to be a NpyFileError (an InvalidInputError) naming `path`. */
function npyError(fn: () => unknown, path: string): NpyFileError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NpyFileError, String(error));
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.path, path);
    assert.ok(error.message.startsWith(`${path}: `), error.message);
    return error;
  }
  assert.fail("no error was thrown");
}

test("Python literals: dicts, tuples, lists, strings with escapes, ints, True/False/None", () => {
  const value = parsePythonLiteral(`{'descr': '<f4', "fortran_order": False, 'shape': (3, 64), 'a': (7,), 'b': (), 'c': (5), 'd': [1, -2, 3L], 'e': None, 'f': 'it\\'s "x" \\\\ \\n', }`);
  assert.ok(value instanceof PythonDict);
  const get = (key: string) => value.entries.get(key);
  assert.equal(get("descr"), "<f4");
  assert.equal(get("fortran_order"), false);
  assert.deepEqual(get("shape"), new PythonTuple([3, 64]));
  assert.deepEqual(get("a"), new PythonTuple([7]));
  assert.deepEqual(get("b"), new PythonTuple([]));
  assert.equal(get("c"), 5, "(5) is 5, not a tuple");
  assert.deepEqual(get("d"), [1, -2, 3]);
  assert.equal(get("e"), null);
  assert.equal(get("f"), `it's "x" \\ \n`);
  for (const [text, problem] of [
    ["{'a': 1.5}", /not an integer/],
    ["{'a': os}", /not a literal this reader takes/],
    ["{'a': 'open}", /unterminated string/],
    ["{'a': 1, 'a': 2}", /the key 'a' given twice/],
    ["{1: 2}", /a dict key that is not a string/],
    ["{'a': 1} x", /text after the literal/],
    ["{'a': (1 2)}", /a missing ',' or '\)'/],
    ["{'a': 99999999999999999999}", /too large/],
    [`{'a': ${"(".repeat(20)}1${")".repeat(20)}}`, /nesting deeper than 8/],
    ["{'a': ", /ends where a value should be/],
  ] as const) {
    assert.throws(() => parsePythonLiteral(text), (e: unknown) => e instanceof PythonLiteralError && problem.test(e.message), text);
  }
});

test("float32 rows are read exactly, any rows at a time, from format versions 1, 2 and 3", () => {
  const dir = scratch();
  const values = Float32Array.from({ length: 5 * 3 }, (_, i) => i * 0.25 - 1.5);
  for (const major of [1, 2, 3] as const) {
    const path = join(dir, `v${major}.npy`);
    writeNpyMatrix(path, 5, 3, values, major);
    const all = readAll(path);
    assert.equal(all.rows, 5);
    assert.equal(all.columns, 3);
    assert.deepEqual(all.data, values);
    const matrix = openFloatMatrix(path);
    assert.deepEqual(matrix.readRows(2, 2), values.subarray(6, 12));
    assert.deepEqual(matrix.readRows(4, 0), new Float32Array(0));
    assert.throws(() => matrix.readRows(4, 2), RangeError);
    matrix.close();
  }
});

test("float64 data is converted to float32, never read as float32", () => {
  const dir = scratch();
  const values = Float64Array.from({ length: 4 * 2 }, (_, i) => Math.PI * (i - 3));
  const path = join(dir, "f8.npy");
  writeNpyMatrix(path, 4, 2, values);
  const all = readAll(path);
  assert.equal(all.columns, 2);
  assert.deepEqual(all.data, Float32Array.from(values));
});

test("the header's keys are the dict's, not text inside a string; numpy's three keys and nothing else", () => {
  const dir = scratch();
  const data = new Uint8Array(new Float64Array([1, 2, 3, 4]).buffer);
  // A pattern search takes the first "'descr': '<f4'" it sees, here inside a string, and reads float64 as float32.
  const decoy = join(dir, "decoy.npy");
  writeFileSync(decoy, npyBytes(`{'note': "'descr': '<f4'", 'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }`, data));
  assert.match(npyError(() => openFloatMatrix(decoy), decoy).message, /the header's keys are \["descr","fortran_order","note","shape"\]; a \.npy header has exactly descr, fortran_order and shape/);
  // The same decoy as a value numpy would accept nowhere: a descr that is a string holding another.
  const nested = join(dir, "nested.npy");
  writeFileSync(nested, npyBytes(`{'descr': "'descr': '<f4'", 'fortran_order': False, 'shape': (2, 2), }`, data));
  assert.match(npyError(() => openFloatMatrix(nested), nested).message, /the dtype \(descr\) is "'descr': '<f4'"/);
  const cases: [string, RegExp][] = [
    [`{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }`, /the dtype \(descr\) is ">f4"/],
    [`{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }`, /the dtype \(descr\) is "<i4"/],
    [`{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }`, /fortran_order is true/],
    [`{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }`, /the shape is \(4\)/],
    [`{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2], }`, /the shape is \[2,2\]/],
    [`{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }`, /the shape is \(2, -2\)/],
    [`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)`, /not a Python dict literal \(a missing ',' or '}'/],
    [`['descr', '<f4']`, /the header is not a dict/],
  ];
  for (const [header, message] of cases) {
    const path = join(dir, "case.npy");
    writeFileSync(path, npyBytes(header, data));
    assert.match(npyError(() => openFloatMatrix(path), path).message, message, header);
  }
});

test("NaN and infinite features are refused naming the file, row and column", () => {
  const dir = scratch();
  for (const [name, values, row, column, shown] of [
    ["nan32.npy", Float32Array.from([0, 1, 2, 3, 4, 5, NaN, 7]), 3, 0, "NaN"],
    ["inf32.npy", Float32Array.from([0, 1, -Infinity, 3, 4, 5, 6, 7]), 1, 0, "-Infinity"],
    // Finite in float64, past float32's range: it would become Infinity.
    ["big64.npy", Float64Array.from([0, 1, 2, 3, 4, 1e300, 6, 7]), 2, 1, "Infinity"],
  ] as const) {
    const path = join(dir, name);
    writeNpyMatrix(path, 4, 2, values);
    const matrix = openFloatMatrix(path);
    // Rows before the bad one read fine: the check names the row, it does not spoil the file.
    assert.equal(matrix.readRows(0, 1).length, 2);
    const error = npyError(() => matrix.readRows(0, 4), path);
    matrix.close();
    assert.ok(error instanceof NonFiniteFeatureError);
    assert.equal(error.row, row);
    assert.equal(error.column, column);
    assert.match(error.message, new RegExp(`row ${row}, column ${column} is ${shown}: the features hold non-finite values`));
  }
});

test("the header's claims are checked against the file's size before any data is read", () => {
  const dir = scratch();
  // A 200-byte file claiming a billion rows of 1024 floats (4 TB): refused from the header alone.
  const huge = join(dir, "huge.npy");
  writeFileSync(huge, npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000, 1024), }`, new Uint8Array(64)));
  assert.match(npyError(() => openFloatMatrix(huge), huge).message, /truncated: \[1000000000, 1024\] <f4 needs 4096000000000 data bytes, the file has 64/);
  const short = join(dir, "short.npy");
  writeFileSync(short, npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`, new Uint8Array(40)));
  assert.match(npyError(() => openFloatMatrix(short), short).message, /truncated: \[3, 2\] <f8 needs 48 data bytes, the file has 40/);
  const longHeader = join(dir, "header.npy");
  const preamble = npyBytes("{}", new Uint8Array(0), 2);
  preamble.writeUInt32LE(4_000_000_000, 8);
  writeFileSync(longHeader, preamble);
  assert.match(npyError(() => openFloatMatrix(longHeader), longHeader).message, /the header claims 4000000000 bytes; at most 10000 are read/);
  const notNpy = join(dir, "text.npy");
  writeFileSync(notNpy, "utt_1 0.5 0.25\n");
  assert.match(npyError(() => openFloatMatrix(notNpy), notNpy).message, /not a \.npy file/);
});

test("a FIFO, /dev/zero or a folder as a .npy is refused at once, not read", () => {
  const dir = scratch();
  const fifo = join(dir, "0_1.npy");
  execFileSync("mkfifo", [fifo]);
  assert.match(npyError(() => openFloatMatrix(fifo), fifo).message, /not a regular file \(a device, FIFO or socket\)/);
  assert.match(npyError(() => openFloatMatrix("/dev/zero"), "/dev/zero").message, /not a regular file/);
  assert.match(npyError(() => openFloatMatrix(dir), dir).message, /not a regular file \(a folder\)/);
  const missing = join(dir, "missing.npy");
  assert.match(npyError(() => openFloatMatrix(missing), missing).message, /cannot read: ENOENT/);
});

test("a .npy past 2 GiB is read in pieces: the rows asked for, at their place", () => {
  const dir = scratch();
  const path = join(dir, "large.npy");
  const columns = 64;
  const rows = 8_500_000; // 8.5 M × 64 × 4 bytes = 2.18 GB of data
  const head = npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${columns}), }`, new Uint8Array(0));
  const last = Float32Array.from({ length: 2 * columns }, (_, i) => i + 0.5); // rows [rows - 2, rows)
  const fd = openSync(path, "w");
  try {
    writeSync(fd, head);
    // Sparse: only the header and the last two rows take disk.
    ftruncateSync(fd, head.length + rows * columns * 4);
    writeSync(fd, new Uint8Array(last.buffer), 0, last.byteLength, head.length + (rows - 2) * columns * 4);
  } finally {
    closeSync(fd);
  }
  const matrix = openFloatMatrix(path);
  try {
    assert.equal(matrix.rows, rows);
    assert.deepEqual(matrix.readRows(rows - 2, 2), last);
    assert.deepEqual(matrix.readRows(rows - 3, 1), new Float32Array(columns));
    assert.deepEqual(matrix.readRows(0, 2), new Float32Array(2 * columns));
  } finally {
    matrix.close();
  }
});
