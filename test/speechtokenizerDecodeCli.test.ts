/**
 * `s3tokenizer decode` with a SpeechTokenizer model: upstream's codes as JSON lines decode to
 * upstream's decode_all, a rerun skips what is written, and a bad line goes to the errors file
 * while the others are written (exit 3): codes outside the codebook however written, a line
 * nested a million deep, a planted symlink. A missing codes file, codes of another model, a
 * folder another decode holds and a symlinked errors file are exit 2 before any output.
 */
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { lockPart } from "../src/extract/partLock.js";
import { readJsonLines, runCli } from "./support/cli.js";
import { maxAbsDiff, readWav, referenceRows, writeFloatWavs } from "./support/codecCli.js";
import { familyFixturesDir } from "./support/familyFixtures.js";
import { readNpyF32 } from "./support/npy.js";
import { CLIPS, clipSamples, skipReason, speechTokenizerFixtures } from "./support/speechTokenizerFixtures.js";

const fixtures = speechTokenizerFixtures();
const EXIT_SOME_FAILED = 3;
const EXIT_USAGE = 2;
const noSymlinks = process.platform === "win32" ? "symlinks need privileges on Windows" : false;
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

  /** The good lines of the codes file, one per clip. */
  const goodLines = () => readFileSync(codes, "utf8").split("\n").filter((l) => l !== "");
  const assertClipWritten = async (out: string, clip: string) => {
    const expected = readNpyF32(join(variant(), "ref", `${clip}.decode_all.npy`)).data;
    assert.ok(maxAbsDiff(await readWav(join(out, `${clip}.wav`)), expected) <= TOLERANCE, clip);
  };

  test("a missing codes file, a directory or a device is exit 2 before any output", async () => {
    const cases = [
      [join(dir, "nope.jsonl"), /--codes .*nope\.jsonl: no such file/],
      [dir, /is a directory, not a codes file/],
      ...(existsSync("/dev/zero") ? [["/dev/zero", /\/dev\/zero: is a device/] as const] : []),
    ] as const;
    for (const [file, reason] of cases) {
      const out = join(dir, "never-made");
      const result = await decode(out, codes, file);
      assert.equal(result.code, EXIT_USAGE, result.stderr);
      assert.match(result.stderr, reason);
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
      assert.equal(existsSync(out), false, `${file}: the output folder was made`);
    }
  });

  test("codes past the codebook however written (2**32 + 5, 1e30, -1, 1.5) and a line nested a million deep are recorded (exit 3); the rest are written", async () => {
    const out = join(dir, "wav-range");
    const file = join(dir, "range.jsonl");
    const good = goodLines();
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    const bad = [
      ["wrapped", `{"key": "wrapped", "code": [[1, ${2 ** 32 + 5}]]}`],
      ["huge", '{"key": "huge", "code": [[1, 1e30]]}'],
      ["negative", '{"key": "negative", "code": [[1, -1]]}'],
      ["fraction", '{"key": "fraction", "code": [[1, 1.5]]}'],
    ];
    // The deep line comes last, right after a good one: that good line must still be written.
    const lines = [good[0], ...bad.map(([, line]) => line), ...good.slice(1), `{"key": "deep", "code": ${deep}}`];
    writeFileSync(file, lines.join("\n") + "\n");
    const result = await decode(out, file);
    assert.equal(result.code, EXIT_SOME_FAILED, result.stderr);
    const errors = readJsonLines<{ key: string; line: number; error: string }>(join(out, "decode_errors_1_of_1"));
    assert.deepEqual(errors.map((e) => [e.key, e.line]), [["wrapped", 2], ["huge", 3], ["negative", 4], ["fraction", 5], ["deep", lines.length]]);
    assert.match(errors[0]!.error, /code 4294967301 at row 0, position 1 is outside 0\.\.63/);
    assert.match(errors[1]!.error, /code 1e\+30 at row 0, position 1 is outside/);
    assert.match(errors[2]!.error, /code -1 at row 0, position 1 is outside/);
    assert.match(errors[3]!.error, /1\.5, not an integer/);
    assert.match(errors[4]!.error, /a list of 1, not an integer/);
    for (const clip of CLIPS) await assertClipWritten(out, clip);
    for (const [key] of bad) assert.equal(existsSync(join(out, `${key}.wav`)), false, key);
  });

  test("a second decode into a folder another decode holds is exit 2 naming the holder", async () => {
    const out = join(dir, "wav-held");
    mkdirSync(out);
    const release = await lockPart(join(out, "decode_errors_1_of_1"));
    try {
      const result = await decode(out, codes);
      assert.equal(result.code, EXIT_USAGE, result.stderr);
      assert.match(result.stderr, new RegExp(`decode_errors_1_of_1: is being written by process ${process.pid}`));
      assert.deepEqual(readdirSync(out).filter((name) => name.endsWith(".wav")), []);
    } finally {
      await release();
    }
    const after = await decode(out, codes);
    assert.equal(after.code, 0, after.stderr);
  });

  test("a planted KEY.wav.partial symlink fails that key only; a symlinked errors file is exit 2; their targets untouched", { skip: noSymlinks }, async () => {
    const out = join(dir, "wav-links");
    mkdirSync(out);
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(out, `${CLIPS[0]}.wav.partial`));
    const result = await decode(out, codes);
    assert.equal(result.code, EXIT_SOME_FAILED, result.stderr);
    const errors = readJsonLines<{ key: string; error: string }>(join(out, "decode_errors_1_of_1"));
    assert.deepEqual(errors.map((e) => e.key), [CLIPS[0]]);
    assert.match(errors[0]!.error, /\.wav\.partial: is a symbolic link, not a regular file/);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    assert.equal(existsSync(join(out, `${CLIPS[0]}.wav`)), false);
    for (const clip of CLIPS.slice(1)) await assertClipWritten(out, clip);

    const linked = join(dir, "wav-errors-link");
    mkdirSync(linked);
    symlinkSync(victim, join(linked, "decode_errors_1_of_1"));
    const refused = await decode(linked, codes);
    assert.equal(refused.code, EXIT_USAGE, refused.stderr);
    assert.match(refused.stderr, /decode_errors_1_of_1: is a symbolic link, not a regular file/);
    assert.equal(readFileSync(victim, "utf8"), "precious\n");
    assert.ok(lstatSync(join(linked, "decode_errors_1_of_1")).isSymbolicLink());
  });

  test("codes of another model (its provenance record beside the part) are exit 2 naming both; --allow_model_mismatch decodes them", async () => {
    const clip = CLIPS[0];
    const scp = writeFloatWavs(mkdtempSync(join(dir, "clips-")), new Map([[clip, clipSamples(fixtures!, clip)]]));
    const tokens = join(dir, "tokens");
    const extracted = await runCli(["--wav_scp", scp, "--model", variant(), "--output_dir", tokens, "--num_workers", "1"]);
    assert.equal(extracted.code, 0, extracted.stderr);
    const part = join(tokens, "part_1_of_1");
    assert.deepEqual(readdirSync(tokens).filter((name) => name.startsWith("part_")), ["part_1_of_1"], "part_* matches the part only");
    const other = join(fixtures!, "snake_tiny");
    const decodeWith = (model: string, out: string, ...extra: string[]) =>
      runCli(["decode", "--codes", part, "--model", model, "--output_dir", out, "--sample_format", "f32", ...extra]);

    const same = await decodeWith(variant(), join(dir, "prov-same"));
    assert.equal(same.code, 0, same.stderr);
    const refused = await decodeWith(other, join(dir, "prov-other"));
    assert.equal(refused.code, EXIT_USAGE, refused.stderr);
    assert.match(refused.stderr, /made by model .*hubert_avg_tiny \(speechtokenizer, sha256 [0-9a-f]{12}….*the decoding model is model .*snake_tiny \(speechtokenizer, sha256 [0-9a-f]{12}…\).*--allow_model_mismatch/);
    assert.equal(existsSync(join(dir, "prov-other")), false);

    const funcodec = familyFixturesDir("funcodec");
    if (funcodec !== null) {
      const family = await decodeWith(funcodec, join(dir, "prov-family"));
      assert.equal(family.code, EXIT_USAGE, family.stderr);
      assert.match(family.stderr, /made by model .*\(speechtokenizer, .*the decoding model is model .*\(funcodec, /);
    }

    const allowed = await decodeWith(other, join(dir, "prov-allowed"), "--allow_model_mismatch");
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /decoding them with model .*snake_tiny .* as --allow_model_mismatch asks/);
    assert.ok(existsSync(join(dir, "prov-allowed", `${clip}.wav`)));

    // A record under the old name (part_1_of_1.provenance.json) is read too.
    renameSync(join(tokens, "provenance_1_of_1.json"), join(tokens, "part_1_of_1.provenance.json"));
    const legacy = await decodeWith(other, join(dir, "prov-legacy"));
    assert.equal(legacy.code, EXIT_USAGE, legacy.stderr);
    assert.match(legacy.stderr, /made by model .*hubert_avg_tiny/);
  });
});
