/**
 * Part lines in both formats: JSON lines with the scale, FunCodec's codecs.txt lines; resuming a
 * codecs-format part cuts a damaged tail; decode's line reader and merge read either kind.
 */
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";
import { parseCodeLine } from "../src/decode/codesFile.js";
import { UsageError } from "../src/errors.js";
import { readParts } from "../src/extract/mergeParts.js";
import { recoverPart } from "../src/extract/partFile.js";
import { formatPartLine, isCodecsLine, parsePartFormat } from "../src/parts/partFormat.js";
import type { Codes } from "../src/family/types.js";

// [2 rows, 3 frames]
const codes: Codes = { data: Int32Array.from([1, 2, 3, 40, 50, 60]), codebooks: 2, frames: 3, scale: 0.25 };
const model = { codebooks: 8 };

test("a JSON line carries the rows and the scale; a codecs line is upstream's json.dumps of [[rows]]", () => {
  assert.deepEqual(JSON.parse(formatPartLine("jsonl", "u1", codes, model)), { key: "u1", code: [[1, 2, 3], [40, 50, 60]], scale: 0.25 });
  assert.equal(formatPartLine("funcodec", "u1", codes, model), "u1 [[[1, 2, 3], [40, 50, 60]]]");
  assert.equal(isCodecsLine("u1 [[[1]]]"), true);
  assert.equal(isCodecsLine('{"key": "u1", "code": [1]}'), false);
  assert.equal(parsePartFormat(undefined), "jsonl");
  assert.throws(() => parsePartFormat("csv"), (e: unknown) => e instanceof UsageError && /--format must be jsonl or funcodec, got "csv"/.test(e.message));
});

test("resuming a codecs-format part keeps its whole lines and cuts a damaged tail", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "part-format-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const part = join(dir, "part_1_of_1");
  const good = `${formatPartLine("funcodec", "a", codes, model)}\n${formatPartLine("funcodec", "b", codes, model)}\n`;
  writeFileSync(part, good);
  appendFileSync(part, "c [[[1, 2"); // a crash mid-line
  const { doneKeys, droppedBytes } = recoverPart(part);
  assert.deepEqual([...doneKeys], ["a", "b"]);
  assert.equal(droppedBytes, "c [[[1, 2".length);
  assert.equal(readFileSync(part, "utf8"), good);

  // merge reads the same lines as rows.
  assert.deepEqual(readParts(dir), [{ key: "a", code: [[1, 2, 3], [40, 50, 60]] }, { key: "b", code: [[1, 2, 3], [40, 50, 60]] }]);
});

test("decode's line reader takes either kind of line, and names the key of a bad codecs line", () => {
  const fromCodecs = parseCodeLine("k1 [[[5, 6], [7, 8]]]", "f", 1);
  assert.ok(fromCodecs.ok);
  assert.deepEqual([fromCodecs.key, Array.from(fromCodecs.codes.data), fromCodecs.codes.codebooks, fromCodecs.codes.scale], ["k1", [5, 6, 7, 8], 2, undefined]);
  const fromJson = parseCodeLine('{"key": "k2", "code": [[5, 6]], "scale": 2}', "f", 2);
  assert.ok(fromJson.ok);
  assert.equal(fromJson.codes.scale, 2);
  const bad = parseCodeLine("k3 [[[5, 6], [7]]]", "f", 3);
  assert.equal(bad.ok, false);
  assert.equal(bad.key, "k3");
  assert.match(bad.ok ? "" : bad.error, /line 3: k3: every row/);
});
