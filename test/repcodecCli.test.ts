/**
 * `s3tokenizer repcodec` end to end: upstream's tokens file byte for byte at batch sizes 1, 3
 * and 4 (upstream's own batch of 3 differs; ours must not) and from a float64 dump, and
 * inconsistent or non-finite dumps and special files refused with a typed error naming the file
 * and the numbers before any output.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli } from "./support/cli.js";
import { readNpy, writeNpyMatrix } from "./support/npy.js";
import { repcodecFixturesDir, repcodecSkipReason } from "./support/repcodecFixtures.js";

const fixtures = repcodecFixturesDir();
const EXIT_USAGE = 2;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "repcodec-cli-"));
}

/** A copy of the fixture's dump folder whose files the test may then spoil. */
function copiedDump(): string {
  const dir = join(scratch(), "features");
  mkdirSync(dir);
  for (const file of ["0_1.npy", "0_1.len"]) copyFileSync(join(fixtures!, "features", file), join(dir, file));
  return dir;
}

function tokenize(featDir: string, outDir: string, extra: string[] = [], set = ""): ReturnType<typeof runCli> {
  const base = join(fixtures!, set);
  const pkl = set === "" ? "repcodec_tiny_dim64.pkl" : "repcodec_whisper_tiny.pkl";
  return runCli(["repcodec", featDir, "--model", join(base, pkl), "--tsv_path", join(base, "dev.tsv"), "--out_dir", outDir, ...extra]);
}

describe("s3tokenizer repcodec", { skip: fixtures === null ? repcodecSkipReason : false }, () => {
  for (const batch of ["1", "3", "4"]) {
    test(`--batch_size ${batch} writes upstream's batch-1 tokens file byte for byte`, async () => {
      const out = join(scratch(), "out");
      const result = await tokenize(join(fixtures!, "features"), out, ["--batch_size", batch, "--model_config_path", join(fixtures!, "train_config.yaml")]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(readFileSync(join(out, "tokens"), "utf8"), readFileSync(join(fixtures!, "tokens_bs1", "tokens"), "utf8"));
    });
  }

  test("the Whisper-features dump (a 2800-frame utterance among them) gives upstream's tokens file", async () => {
    const out = join(scratch(), "out");
    const result = await tokenize(join(fixtures!, "whisper", "features"), out, ["--batch-size=2"], "whisper");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "tokens"), "utf8"), readFileSync(join(fixtures!, "whisper", "tokens_bs1", "tokens"), "utf8"));
  });

  test("--n_shard 2 reads 0_2 then 1_2 and gives the same tokens file", async () => {
    const dir = join(scratch(), "features");
    mkdirSync(dir);
    const all = readNpy(join(fixtures!, "features", "0_1.npy"));
    const width = all.shape[1]!;
    // utt_a + utt_b (87 frames) in shard 0, utt_c + utt_d (124 frames) in shard 1.
    writeNpyMatrix(join(dir, "0_2.npy"), 87, width, (all.data as Float32Array).subarray(0, 87 * width));
    writeFileSync(join(dir, "0_2.len"), "50\n37\n");
    writeNpyMatrix(join(dir, "1_2.npy"), 124, width, (all.data as Float32Array).subarray(87 * width));
    writeFileSync(join(dir, "1_2.len"), "123\n1\n");
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out, ["--n_shard", "2", "--batch_size", "2"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "tokens"), "utf8"), readFileSync(join(fixtures!, "tokens_bs1", "tokens"), "utf8"));
  });

  test("a .len that does not sum to the .npy rows is refused before any output", async () => {
    const dir = copiedDump();
    writeFileSync(join(dir, "0_1.len"), "50\n37\n123\n2\n");
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out);
    assert.equal(result.code, EXIT_USAGE);
    assert.match(result.stderr, /0_1\.len: the 4 lengths sum to 212 frames, but .*0_1\.npy has 211 rows/);
    assert.equal(existsSync(join(out, "tokens")), false);
  });

  test("a tsv listing another number of utterances is refused before any output", async () => {
    const tsv = join(scratch(), "short.tsv");
    writeFileSync(tsv, readFileSync(join(fixtures!, "dev.tsv"), "utf8").split("\n").slice(0, 4).join("\n") + "\n");
    const out = join(scratch(), "out");
    const result = await runCli(["repcodec", join(fixtures!, "features"), "--model", join(fixtures!, "repcodec_tiny_dim64.pkl"), "--tsv_path", tsv, "--out_dir", out]);
    assert.equal(result.code, EXIT_USAGE);
    assert.match(result.stderr, /short\.tsv: lists 3 utterances, but .* holds 4/);
    assert.equal(existsSync(join(out, "tokens")), false);
  });

  test("features of a width the model does not take are refused before any output", async () => {
    const dir = copiedDump();
    writeNpyMatrix(join(dir, "0_1.npy"), 211, 32, new Float32Array(211 * 32));
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out);
    assert.equal(result.code, EXIT_USAGE);
    assert.match(result.stderr, /0_1\.npy: features are 32 wide, the model takes 64/);
    assert.equal(existsSync(join(out, "tokens")), false);
  });
  test("a float64 dump of the same features gives the same tokens file", async () => {
    const dir = copiedDump();
    const all = readNpy(join(fixtures!, "features", "0_1.npy"));
    writeNpyMatrix(join(dir, "0_1.npy"), all.shape[0]!, all.shape[1]!, Float64Array.from(all.data as Float32Array));
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out, ["--batch_size", "3"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(out, "tokens"), "utf8"), readFileSync(join(fixtures!, "tokens_bs1", "tokens"), "utf8"));
  });

  test("a NaN feature is refused naming the file and row, before any output; the .len is checked before the data", async () => {
    const dir = copiedDump();
    const all = readNpy(join(fixtures!, "features", "0_1.npy"));
    const [rows, width] = [all.shape[0]!, all.shape[1]!];
    const spoiled = Float32Array.from(all.data as Float32Array);
    spoiled[150 * width + 5] = NaN; // row 150: in utt_c (rows 87..209)
    writeNpyMatrix(join(dir, "0_1.npy"), rows, width, spoiled);
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out);
    assert.equal(result.code, EXIT_USAGE);
    assert.match(result.stderr, /0_1\.npy: row 150, column 5 is NaN: the features hold non-finite values/);
    assert.equal(existsSync(join(out, "tokens")), false);
    writeFileSync(join(dir, "0_1.len"), "50\n37\n123\n2\n");
    const mismatch = await tokenize(dir, out);
    assert.equal(mismatch.code, EXIT_USAGE);
    assert.match(mismatch.stderr, /0_1\.len: the 4 lengths sum to 212 frames/);
  });

  test("a FIFO as the .npy is refused at once, not waited on", async () => {
    const dir = copiedDump();
    rmSync(join(dir, "0_1.npy"));
    execFileSync("mkfifo", [join(dir, "0_1.npy")]);
    const out = join(scratch(), "out");
    const result = await tokenize(dir, out);
    assert.equal(result.code, EXIT_USAGE);
    assert.match(result.stderr, /0_1\.npy: not a regular file/);
    assert.equal(existsSync(join(out, "tokens")), false);
  });
});
