/**
 * `s3tokenizer decode` with a SpeechTokenizer model: upstream's codes as JSON lines decode to
 * upstream's decode_all, a rerun skips what is written, and a bad line goes to the errors file
 * while the others are written (exit 3).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readJsonLines, runCli } from "./support/cli.js";
import { maxAbsDiff, readWav, referenceRows } from "./support/codecCli.js";
import { readNpyF32 } from "./support/npy.js";
import { CLIPS, skipReason, speechTokenizerFixtures } from "./support/speechTokenizerFixtures.js";

const fixtures = speechTokenizerFixtures();
const EXIT_SOME_FAILED = 3;
const TOLERANCE = 1e-4;

describe("SpeechTokenizer decode on the command line", { skip: fixtures === null ? skipReason : false }, () => {
  let dir: string;
  let codes: string;
  const variant = () => join(fixtures!, "hubert_avg_tiny");
  const decode = (out: string, ...files: string[]) =>
    runCli(["decode", ...files.flatMap((f) => ["--codes", f]), "--model", variant(), "--output_dir", out, "--sample_format", "f32", "--batch_size", "4"]);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "st-decode-cli-"));
    codes = join(dir, "codes.jsonl");
    const lines = CLIPS.map((clip) => JSON.stringify({ key: clip, code: referenceRows(join(variant(), "ref", `${clip}.codes.npy`)) }));
    writeFileSync(codes, lines.join("\n") + "\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("codes decode to upstream's decode_all, and a rerun skips every written key", async () => {
    const out = join(dir, "wav");
    const result = await decode(out, codes);
    assert.equal(result.code, 0, result.stderr);
    const written = new Map<string, number>();
    for (const clip of CLIPS) {
      const expected = readNpyF32(join(variant(), "ref", `${clip}.decode_all.npy`)).data;
      const path = join(out, `${clip}.wav`);
      const diff = maxAbsDiff(await readWav(path), expected);
      assert.ok(diff <= TOLERANCE, `${clip}: max abs diff ${diff}`);
      written.set(path, statSync(path).mtimeMs);
    }
    const again = await decode(out, codes);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`0 written, ${CLIPS.length} already there, 0 failed`));
    for (const [path, mtime] of written) assert.equal(statSync(path).mtimeMs, mtime, `${path} was written again`);
  });

  test("a bad line goes to the errors file and the other lines are written (exit 3)", async () => {
    const out = join(dir, "wav-bad");
    const bad = join(dir, "bad.jsonl");
    const good = readFileSync(codes, "utf8").split("\n").filter((l) => l !== "");
    // A code past the codebook (1024 entries) in one line, between good ones.
    writeFileSync(bad, [good[0], JSON.stringify({ key: "out_of_range", code: [[1, 2, 5000]] }), ...good.slice(1)].join("\n") + "\n");
    const result = await decode(out, bad);
    assert.equal(result.code, EXIT_SOME_FAILED, result.stderr);
    const errors = readJsonLines<{ key: string; line: number; error: string }>(join(out, "decode_errors_1_of_1"));
    assert.deepEqual(errors.map((e) => [e.key, e.line]), [["out_of_range", 2]]);
    assert.match(errors[0]!.error, /5000/);
    for (const clip of CLIPS) {
      const expected = readNpyF32(join(variant(), "ref", `${clip}.decode_all.npy`)).data;
      assert.ok(maxAbsDiff(await readWav(join(out, `${clip}.wav`)), expected) <= TOLERANCE, clip);
    }
  });
});
