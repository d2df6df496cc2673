/** Code lines read back for decoding: the shapes the extraction writes, and every way a line can be wrong. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { checkCodesFile, codesProblem, keyFileProblem, parseCodeLine, readCodeLines } from "../src/decode/codesFile.js";
import { UsageError } from "../src/errors.js";
import type { FamilyFacts } from "../src/family/types.js";

const facts: FamilyFacts = { family: "speechtokenizer", sampleRate: 16000, channels: 1, frameRate: 50, codebooks: 8, codebookSize: 1024, hopLength: 320 };

test("a one-row line and a multi-row line become [rows, frames] codes", () => {
  const one = parseCodeLine('{"key": "a", "code": [1, 2, 3]}', "f", 1);
  assert.ok(one.ok);
  assert.deepEqual([one.codes.codebooks, one.codes.frames, [...one.codes.data]], [1, 3, [1, 2, 3]]);
  const rows = parseCodeLine('{"key": "b", "code": [[1, 2], [3, 4], [5, 6]], "scale": 0.5}', "f", 2);
  assert.ok(rows.ok);
  assert.deepEqual([rows.codes.codebooks, rows.codes.frames, [...rows.codes.data], rows.codes.scale], [3, 2, [1, 2, 3, 4, 5, 6], 0.5]);
});

test("each malformed line gives a reason naming what is wrong", () => {
  const reasons = [
    ['{"key": "a", "code": [1, 2', /not JSON/],
    ['[1, 2]', /not a JSON object/],
    ['{"code": [1]}', /no "key"/],
    ['{"key": "a", "code": []}', /non-empty list/],
    ['{"key": "a", "code": [[1, 2], [3]]}', /row 1 has 1 codes, row 0 has 2/],
    ['{"key": "a", "code": [1, 2.5]}', /position 1 is 2.5, not an integer/],
    ['{"key": "a", "code": [1], "scale": -1}', /"scale" must be a positive number/],
  ] as const;
  for (const [text, reason] of reasons) {
    const line = parseCodeLine(text, "codes.jsonl", 7);
    assert.equal(line.ok, false, text);
    if (!line.ok) assert.match(line.error, reason, text);
  }
});

test("codes are checked against the model: rows from the first layer on, values in the codebook", () => {
  const line = parseCodeLine('{"key": "a", "code": [[1, 2], [3, 1023]]}', "f", 1);
  assert.ok(line.ok);
  assert.equal(codesProblem(line.codes, facts, 0), null);
  assert.equal(codesProblem(line.codes, facts, 6), null);
  assert.match(codesProblem(line.codes, facts, 7)!, /2 rows from layer 7 on, but the model has 8 layers/);
  const high = parseCodeLine('{"key": "a", "code": [[1, 2], [3, 1024]]}', "f", 1);
  assert.ok(high.ok);
  assert.match(codesProblem(high.codes, facts, 0)!, /code 1024 at row 1, position 1 is outside 0..1023/);
});

test("keys that cannot be file names are refused", () => {
  assert.equal(keyFileProblem("utt_001"), null);
  for (const key of ["..", ".", "a/b", "a\\b", "a\0b", "x".repeat(300)]) assert.notEqual(keyFileProblem(key), null, key);
});

test("a codes file is read line by line with line numbers, blank lines skipped", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "codes-")), "codes.jsonl");
  writeFileSync(file, '{"key": "a", "code": [1]}\n\n{"key": "b", "code": [2]\n{"key": "c", "code": [3]}');
  const lines = [];
  for await (const line of readCodeLines(file)) lines.push(line);
  assert.deepEqual(lines.map((l) => [l.line, l.ok]), [[1, true], [3, false], [4, true]]);
});

test("values past the codebook, past int32, fractional or negative are refused before they are stored (never wrapped)", () => {
  const cases = [
    ["2**32 + 5", String(2 ** 32 + 5), /code 4294967301 at row 0, position 1 is outside 0..1023/],
    ["1e30", "1e30", /code 1e\+30 at row 0, position 1 is outside 0..1023/],
    ["-1", "-1", /code -1 at row 0, position 1 is outside 0..1023/],
    ["1.5", "1.5", /position 1 is 1.5, not an integer/],
    ["1024", "1024", /code 1024 at row 0, position 1 is outside 0..1023/],
  ] as const;
  for (const [name, value, reason] of cases) {
    const line = parseCodeLine(`{"key": "a", "code": [[3, ${value}]]}`, "f", 1, facts);
    assert.equal(line.ok, false, name);
    if (!line.ok) assert.match(line.error, reason, name);
  }
  // Without a model the value must still fit an Int32Array unchanged: 2**32 + 5 is not 5.
  const wrapped = parseCodeLine(`{"key": "a", "code": [3, ${2 ** 32 + 5}]}`, "f", 1);
  assert.equal(wrapped.ok, false);
  const inRange = parseCodeLine('{"key": "a", "code": [[3, 1023]]}', "f", 1, facts);
  assert.ok(inRange.ok);
  assert.deepEqual([...inRange.codes.data], [3, 1023]);
});

test("a code or scale nested a million lists deep is a failed line, described without serialising it", () => {
  const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
  const code = parseCodeLine(`{"key": "deep", "code": ${deep}}`, "f", 2, facts);
  assert.equal(code.ok, false);
  if (!code.ok) assert.match(code.error, /row 0 position 0 is a list of 1, not an integer/);
  const scale = parseCodeLine(`{"key": "deep", "code": [1], "scale": ${deep}}`, "f", 3, facts);
  assert.equal(scale.ok, false);
  if (!scale.ok) assert.match(scale.error, /"scale" must be a positive number, got a list of 1/);
  const codecs = parseCodeLine(`deep [[${deep}]]`, "f", 4, facts);
  assert.equal(codecs.ok, false);
});

test("a line longer than the bound is a failed line, not held in memory; the lines around it are read", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "codes-")), "codes.jsonl");
  const long = JSON.stringify({ key: "long", code: Array.from({ length: 5000 }, () => 7) }); // about 10 kB
  writeFileSync(file, `{"key": "a", "code": [1]}\n${long}\n{"key": "b", "code": [2]}\n${long}`);
  const lines = [];
  for await (const line of readCodeLines(file, { range: facts, maxLineBytes: 1000 })) lines.push(line);
  assert.deepEqual(lines.map((l) => [l.line, l.ok, l.ok ? l.key : undefined]), [[1, true, "a"], [2, false, undefined], [3, true, "b"], [4, false, undefined]]);
  const tooLong = lines[1]!;
  if (!tooLong.ok) assert.match(tooLong.error, new RegExp(`line 2 is ${Buffer.byteLength(long)} bytes, longer than the 1000`));
  // The same file under the default bound reads every line.
  const all = [];
  for await (const line of readCodeLines(file, { range: facts })) all.push(line.ok);
  assert.deepEqual(all, [true, true, true, true]);
});

test("a codes file that is missing, a directory or a device is a usage error", () => {
  const dir = mkdtempSync(join(tmpdir(), "codes-"));
  assert.throws(() => checkCodesFile(join(dir, "nope.jsonl")), (e: unknown) => e instanceof UsageError && /nope\.jsonl: no such file/.test(e.message));
  assert.throws(() => checkCodesFile(dir), (e: unknown) => e instanceof UsageError && /is a directory, not a codes file/.test(e.message));
  if (existsSync("/dev/zero")) {
    assert.throws(() => checkCodesFile("/dev/zero"), (e: unknown) => e instanceof UsageError && /\/dev\/zero: is a device/.test(e.message));
  }
  const file = join(dir, "codes.jsonl");
  writeFileSync(file, "");
  checkCodesFile(file);
});
