/** Code lines read back for decoding: the shapes the extraction writes, and every way a line can be wrong. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { codesProblem, keyFileProblem, parseCodeLine, readCodeLines } from "../src/decode/codesFile.js";
import type { FamilyFacts } from "../src/family/types.js";

const facts: FamilyFacts = { family: "speechtokenizer", sampleRate: 16000, frameRate: 50, codebooks: 8, codebookSize: 1024, hopLength: 320 };

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
