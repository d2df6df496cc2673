/** Part files: resume, and repair of a line cut off by a crash. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JsonLinesAppender, partPaths, recoverPart } from "../src/extract/partFile.js";

test("part and errors names follow upstream's part_{rank+1}_of_{world_size}", () => {
  assert.deepEqual(partPaths("/out", 0, 3), { part: "/out/part_1_of_3", errors: "/out/errors_1_of_3" });
});

test("a cut-off last line is removed and its key is not counted as done", () => {
  const path = join(mkdtempSync(join(tmpdir(), "s3tok-part-")), "part_1_of_1");
  writeFileSync(path, '{"key":"a","code":[1,2]}\n{"key":"b","code":[3]}\n{"key":"c","co');
  const { doneKeys, droppedBytes } = recoverPart(path);
  assert.deepEqual([...doneKeys], ["a", "b"]);
  assert.equal(droppedBytes, '{"key":"c","co'.length);
  assert.equal(readFileSync(path, "utf8"), '{"key":"a","code":[1,2]}\n{"key":"b","code":[3]}\n');
  const appender = new JsonLinesAppender(path);
  appender.append([{ key: "c", code: [4] }]);
  appender.close();
  assert.deepEqual([...recoverPart(path).doneKeys], ["a", "b", "c"]);
});
