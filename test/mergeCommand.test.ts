/** `s3tokenizer merge`: part files into one JSON-lines file or CosyVoice's utt2speech_token.pt. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readCheckpoint } from "../src/checkpoint/index.js";
import { readJsonLines, runCli } from "./support/cli.js";

type Rec = { key: string; code: number[] | number[][] };

function outputDir(parts: Rec[][]): string {
  const dir = mkdtempSync(join(tmpdir(), "merge-"));
  parts.forEach((records, i) => {
    writeFileSync(join(dir, `part_${i + 1}_of_${parts.length}`), records.map((r) => JSON.stringify(r) + "\n").join(""));
  });
  return dir;
}

const PARTS: Rec[][] = [
  [{ key: "spk2_b", code: [7, 8] }, { key: "spk1_a", code: [1, 2, 3] }],
  [{ key: "spk1_c", code: [4095] }, { key: "spk0_z", code: [] }],
];
const byKey = (records: Rec[]): Rec[] => [...records].sort((a, b) => (a.key < b.key ? -1 : 1));

test("merge (jsonl): every record of every part once, sorted by key", async () => {
  const dir = outputDir(PARTS);
  const run = await runCli(["merge", "--output_dir", dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readJsonLines<Rec>(join(dir, "merged.jsonl")), byKey(PARTS.flat()));
});

test("merge (cosyvoice): utt2speech_token.pt holds key -> token list", async () => {
  const dir = outputDir(PARTS);
  const out = join(dir, "tokens.pt");
  const run = await runCli(["merge", "--output-dir", dir, "--format", "cosyvoice", "--out", out]);
  assert.equal(run.code, 0, run.stderr);
  const root = (await readCheckpoint(out)).root as Map<string, number[]>;
  assert.deepEqual([...root.entries()], byKey(PARTS.flat()).map((r) => [r.key, r.code]));
});

test("merge (cosyvoice): multi-row codes need --row, which picks that row", async () => {
  const dir = outputDir([[{ key: "u1", code: [[1, 2], [3, 4]] }], [{ key: "u2", code: [[5, 6], [7, 8]] }]]);
  const refused = await runCli(["merge", "--output_dir", dir, "--format", "cosyvoice"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /key "u1" has 2 code rows.*--row N/);
  const run = await runCli(["merge", "--output_dir", dir, "--format", "cosyvoice", "--row", "1"]);
  assert.equal(run.code, 0, run.stderr);
  const root = (await readCheckpoint(join(dir, "utt2speech_token.pt"))).root as Map<string, number[]>;
  assert.deepEqual([...root.entries()], [["u1", [3, 4]], ["u2", [7, 8]]]);
});

test("merge refuses duplicate keys, missing parts and damaged lines, naming them", async () => {
  const duplicate = outputDir([[{ key: "a", code: [1] }], [{ key: "b", code: [2] }, { key: "a", code: [3] }]]);
  const dup = await runCli(["merge", "--output_dir", duplicate]);
  assert.equal(dup.code, 2);
  assert.match(dup.stderr, /duplicate key "a": in .*part_1_of_2:1 and .*part_2_of_2:2/);

  const incomplete = outputDir([[{ key: "a", code: [1] }], []]);
  writeFileSync(join(incomplete, "part_2_of_2"), ""); // present but empty is fine
  writeFileSync(join(incomplete, "part_1_of_3"), "");
  const mixed = await runCli(["merge", "--output_dir", incomplete]);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stderr, /different world sizes/);

  const gap = mkdtempSync(join(tmpdir(), "merge-gap-"));
  writeFileSync(join(gap, "part_2_of_2"), JSON.stringify({ key: "x", code: [1] }) + "\n");
  const missing = await runCli(["merge", "--output_dir", gap]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing part_1_of_2/);

  const damaged = outputDir([[{ key: "a", code: [1] }]]);
  writeFileSync(join(damaged, "part_1_of_1"), readFileSync(join(damaged, "part_1_of_1"), "utf8") + '{"key": "b", "co');
  const bad = await runCli(["merge", "--output_dir", damaged]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /part_1_of_1:2: not a JSON line/);
});

test("merge --help describes the formats", async () => {
  const run = await runCli(["merge", "--help"]);
  assert.equal(run.code, 0);
  assert.match(run.stdout, /--format cosyvoice/);
  assert.match(run.stdout, /--row N/);
});

test("merge --out at a symlink or a named pipe is refused (exit 2), the link's target and the pipe untouched", { skip: process.platform === "win32" ? "no symlinks or mkfifo" : false }, async () => {
  const dir = outputDir(PARTS);
  const victim = join(dir, "victim.pt");
  writeFileSync(victim, "precious");
  const link = join(dir, "link.pt");
  symlinkSync(victim, link);
  for (const format of ["jsonl", "cosyvoice"]) {
    const run = await runCli(["merge", "--output_dir", dir, "--format", format, "--out", link]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /link\.pt: is a symbolic link, not a regular file/);
    assert.equal(readFileSync(victim, "utf8"), "precious");
    assert.ok(lstatSync(link).isSymbolicLink());
  }
  const fifo = join(dir, "fifo.pt");
  if (spawnSync("mkfifo", [fifo]).status !== 0) return;
  const run = await runCli(["merge", "--output_dir", dir, "--format", "cosyvoice", "--out", fifo]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /fifo\.pt: is a named pipe, not a regular file/);
  assert.ok(lstatSync(fifo).isFIFO());
});

test("merge replaces an existing output whole and leaves no temporary beside it", async () => {
  const dir = outputDir(PARTS);
  const out = join(dir, "utt2speech_token.pt");
  writeFileSync(out, "an older merge");
  const run = await runCli(["merge", "--output_dir", dir, "--format", "cosyvoice"]);
  assert.equal(run.code, 0, run.stderr);
  const root = (await readCheckpoint(out)).root as Map<string, number[]>;
  assert.deepEqual([...root.keys()], byKey(PARTS.flat()).map((r) => r.key));
  assert.deepEqual(readdirSync(dir).sort(), ["part_1_of_2", "part_2_of_2", "utt2speech_token.pt"]);
});

test("merge refuses parts whose provenance records name different models", async () => {
  const dir = outputDir(PARTS);
  const record = (sha256: string) => JSON.stringify({ model: "m", sha256, family: "s3", mode: "exact", codebooks: 1 });
  writeFileSync(join(dir, "provenance_1_of_2.json"), record("a".repeat(64)));
  // The second part's record under the old name, which merge reads too.
  writeFileSync(join(dir, "part_2_of_2.provenance.json"), record("b".repeat(64)));
  const run = await runCli(["merge", "--output_dir", dir]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /part_2_of_2 was written by model m \(s3, sha256 bbbbbbbbbbbb….*part_1_of_2 by model m \(s3, sha256 aaaaaaaaaaaa…/);
  assert.equal(existsSync(join(dir, "merged.jsonl")), false);
});
