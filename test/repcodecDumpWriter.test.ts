/**
 * The feature-dump writer against RepCodec's own dumps (../shared/fixtures/repcodec/{hubert,data2vec}):
 * the reference features appended in tsv order give byte-identical 0_1.npy and 0_1.len; shard
 * ranges as get_shard_range computes them (Python's round), and what is written reads back.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { InvalidInputError } from "../src/errors.js";
import { openShard } from "../src/models/repcodec/dumpLayout.js";
import { FeatureDumpWriter, float32MatrixHeader, shardRange } from "../src/models/repcodec/dumpWriter.js";
import { readNpy } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const CLIPS = ["aishell_0121", "aishell_0122", "short_0p3s", "clip_0p5s"];
const dir = mkdtempSync(join(tmpdir(), "dump-writer-"));

for (const [family, size, width] of [["hubert", "base", 64], ["data2vec", "large", 96]] as const) {
  test(`${family} ${size}: the reference features written in order are dump_feature.py's files, byte for byte`, { skip: fixtures === null ? repcodecSkipReason : false }, () => {
    const out = join(dir, `${family}_${size}`, "nested");
    const writer = FeatureDumpWriter.open(out, 0, 1, width);
    for (const clip of CLIPS) writer.append(readNpy(join(fixtures!, family, size, "ref", `${clip}.feat.npy`)).data as Float32Array);
    writer.close();
    const expected = join(fixtures!, family, size, "features");
    assert.ok(readFileSync(join(out, "0_1.npy")).equals(readFileSync(join(expected, "0_1.npy"))), "0_1.npy");
    assert.ok(readFileSync(join(out, "0_1.len")).equals(readFileSync(join(expected, "0_1.len"))), "0_1.len");
    const { matrix, lengths } = openShard(out, 0, 1, width);
    assert.deepEqual(lengths, [209, 205, 14, 24]);
    matrix.close();
  });
}

test("the .npy header is numpy's version 1.0 header, 128 bytes for any row count", () => {
  const header = float32MatrixHeader(452, 64);
  assert.equal(header.length, 128);
  assert.equal(header.subarray(0, 10).toString("latin1"), "\x93NUMPY\x01\x00v\x00");
  assert.equal(header.subarray(10).toString("latin1").trimEnd(), "{'descr': '<f4', 'fortran_order': False, 'shape': (452, 64), }");
  assert.equal(header[127], 0x0a);
  assert.equal(float32MatrixHeader(1e15, 1280).length, 128);
});

test("shard ranges are get_shard_range's (Python rounds halves to even)", () => {
  // Values printed by Python 3: round(tot / nshard * rank), round(tot / nshard * (rank + 1)).
  const cases: [number, number, [number, number][]][] = [
    [10, 4, [[0, 2], [2, 5], [5, 8], [8, 10]]],
    [7, 3, [[0, 2], [2, 5], [5, 7]]],
    [5, 2, [[0, 2], [2, 5]]],
    [3, 2, [[0, 2], [2, 3]]],
  ];
  for (const [total, shards, ranges] of cases) {
    ranges.forEach(([start, end], rank) => assert.deepEqual(shardRange(total, shards, rank), { start, end }, `${total}/${shards} rank ${rank}`));
  }
  assert.throws(() => shardRange(10, 4, 4), (e: unknown) => e instanceof InvalidInputError && /rank 4 of 4/.test(e.message));
  assert.throws(() => shardRange(1, 2, 0), (e: unknown) => e instanceof InvalidInputError && /no utterance/.test(e.message));
});

test("rank and shard count name the files; appending frames of the wrong width is refused", () => {
  const writer = FeatureDumpWriter.open(dir, 2, 3, 4);
  assert.ok(writer.npyPath.endsWith("2_3.npy") && writer.lenPath.endsWith("2_3.len"));
  assert.throws(() => writer.append(new Float32Array(6)), (e: unknown) => e instanceof InvalidInputError && /2_3\.npy: 6 values/.test(e.message));
  writer.append(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  writer.close();
  const { matrix, lengths } = openShard(dir, 2, 3, 4);
  assert.deepEqual(lengths, [2]);
  assert.deepEqual(Array.from(matrix.readRows(0, 2)), [1, 2, 3, 4, 5, 6, 7, 8]);
  matrix.close();
});
