/**
 * The corpus job's output: a full disk rolls back to whole lines and stops, the output directory
 * is checked before the model loads, one writer per part file, provenance mismatches refused,
 * error lines capped.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { OutputWriteError } from "../src/errors.js";
import { capText } from "../src/extract/capText.js";
import { JsonLinesAppender, recoverPart, type WriteFn } from "../src/extract/partFile.js";
import { lockPart } from "../src/extract/partLock.js";
import { modelFilesSha256, provenancePath } from "../src/extract/provenance.js";
import { fixturesDir, skipReason } from "./support/fixtures.js";
import { modelPath } from "./support/conformance.js";
import { readJsonLines, runCli } from "./support/cli.js";

const fixtures = fixturesDir();
const scratch = (): string => mkdtempSync(join(tmpdir(), "s3tok-output-"));

/** A writer that gets `allowed` bytes onto the disk and then fails as a full disk does. */
function fillsUpAfter(allowed: number): WriteFn {
  let left = allowed;
  return (fd, buffer, offset, length) => {
    if (left <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const n = Math.min(left, length);
    left -= n;
    return writeSync(fd, buffer, offset, n);
  };
}

test("ENOSPC mid-batch leaves whole lines only, stops further writes, and the part resumes", () => {
  const path = join(scratch(), "part_1_of_1");
  const appender = new JsonLinesAppender(path, false, fillsUpAfter(40));
  appender.append([{ key: "a", code: [1, 2] }]); // 24 bytes: fits
  assert.throws(() => appender.append([{ key: "b", code: [3] }, { key: "c", code: [4] }]), (e: unknown) => {
    assert.ok(e instanceof OutputWriteError);
    assert.equal(e.systemCode, "ENOSPC");
    assert.match(e.message, /part_1_of_1: cannot write: ENOSPC.*rerun the same command to resume/);
    return true;
  });
  // The half-written batch was rolled back: no cut-off line.
  assert.equal(readFileSync(path, "utf8"), '{"key":"a","code":[1,2]}\n');
  assert.throws(() => appender.append([{ key: "d", code: [5] }]), OutputWriteError);
  appender.close();
  assert.deepEqual([...recoverPart(path).doneKeys], ["a"]);
});

test("a lock left by a process that died (SIGKILL) does not block the resume", async () => {
  const part = join(scratch(), "part_1_of_1");
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!; // exited: its pid is free
  mkdirSync(`${part}.lock`);
  writeFileSync(`${part}.holder`, JSON.stringify({ pid: dead, host: hostname(), since: "earlier" }));
  const release = await lockPart(part);
  assert.match(readFileSync(`${part}.holder`, "utf8"), new RegExp(`"pid":${process.pid}`));
  await release();
});

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

test("a model file's digest comes from its record while its size and mtime hold, and is hashed again when they move", async () => {
  const dir = scratch();
  const cacheDir = join(dir, "cache");
  const path = join(dir, "model.onnx"); // given by path: not in the hub's cache
  const first = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 251);
  const second = first.map((b) => 255 - b); // same size, other bytes
  const seconds = 1_700_000_000; // whole seconds: utimes can set the very same mtime again
  writeFileSync(path, first);
  utimesSync(path, seconds, seconds);
  const files = { "model.onnx": path };

  assert.equal(await modelFilesSha256(files, cacheDir), sha256(first));
  const records = readdirSync(join(cacheDir, "digests"));
  assert.equal(records.length, 1, "the first hash leaves a record in the cache");
  assert.equal(JSON.parse(readFileSync(join(cacheDir, "digests", records[0]!), "utf8")).path, path);

  // Other bytes behind the same size and mtime: the record is used, so the file was not read.
  const before = statSync(path);
  writeFileSync(path, second);
  utimesSync(path, seconds, seconds);
  assert.deepEqual([statSync(path).size, statSync(path).mtimeMs], [before.size, before.mtimeMs]);
  assert.equal(await modelFilesSha256(files, cacheDir), sha256(first));

  // A moved mtime: hashed again, and the new digest recorded.
  utimesSync(path, seconds + 60, seconds + 60);
  assert.equal(await modelFilesSha256(files, cacheDir), sha256(second));
  writeFileSync(path, first);
  utimesSync(path, seconds + 60, seconds + 60);
  assert.equal(await modelFilesSha256(files, cacheDir), sha256(second), "the new record is used in turn");

  // Several files: one digest over their "name sha256" lines, each file's from its own record.
  const config = join(dir, "config.json");
  writeFileSync(config, "{}\n");
  const both = { "model.onnx": path, "config.json": config };
  const lines = `config.json ${sha256(new TextEncoder().encode("{}\n"))}\nmodel.onnx ${sha256(second)}\n`;
  assert.equal(await modelFilesSha256(both, cacheDir), createHash("sha256").update(lines).digest("hex"));

  // A cache that cannot be written (here a file where its folder would be): hashed, every time.
  const unwritable = join(dir, "not-a-folder");
  writeFileSync(unwritable, "");
  assert.equal(await modelFilesSha256({ "config.json": config }, unwritable), sha256(new TextEncoder().encode("{}\n")));
  writeFileSync(config, "[]\n");
  assert.equal(await modelFilesSha256({ "config.json": config }, unwritable), sha256(new TextEncoder().encode("[]\n")));
});

test("capText keeps short text and cuts long text to the limit, saying how much went", () => {
  assert.equal(capText("short", 100), "short");
  const long = "x".repeat(5_000_000);
  const capped = capText(long, 2000);
  assert.ok(capped.length <= 2000, String(capped.length));
  assert.match(capped, /\[4998\d{3} characters left out\]/);
});

describe("the extraction command's output", { skip: fixtures === null ? skipReason : false }, () => {
  const wav = (): string => join(fixtures!, "audio", "aishell_0121.wav");
  const model = (name = "speech_tokenizer_v2_25hz"): string => modelPath(fixtures!, name);
  function list(dir: string, lines: string[]): string {
    const scp = join(dir, "wav.scp");
    writeFileSync(scp, lines.join("\n") + "\n");
    return scp;
  }

  test("an unwritable output directory is exit 2 before the model loads", async () => {
    const dir = scratch();
    // The model does not exist: had it been loaded first, its error would be the one reported.
    const result = await runCli(["--wav_scp", list(dir, [`a ${wav()}`]), "--model", join(dir, "nope.onnx"), "--output_dir", "/sys/s3tok-out"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /\/sys\/s3tok-out: output directory is not writable \(\/sys, where it would be created\): permission denied/);
  });

  test("an output path that is a file is exit 2 with a clear message", async () => {
    const dir = scratch();
    const file = join(dir, "out");
    writeFileSync(file, "");
    const result = await runCli(["--wav_scp", list(dir, [`a ${wav()}`]), "--model", join(dir, "nope.onnx"), "--output_dir", file]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /out: cannot use as the output directory: it is a file/);
    assert.doesNotMatch(result.stderr, /\n\s+at /); // no stack trace
  });

  test("a part file held by another process is exit 2 naming the holder", async () => {
    const dir = scratch();
    const out = join(dir, "out");
    mkdirSync(out);
    const release = await lockPart(join(out, "part_1_of_1"));
    try {
      const result = await runCli(["--wav_scp", list(dir, [`a ${wav()}`]), "--model", model(), "--output_dir", out]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`part_1_of_1: is being written by process ${process.pid} on `));
      assert.deepEqual(readJsonLines(join(out, "part_1_of_1")), []);
    } finally {
      await release();
    }
  });

  test("resuming with another model is refused naming both; --overwrite starts afresh", async () => {
    const dir = scratch();
    const out = join(dir, "out");
    const scp = list(dir, [`a ${wav()}`]);
    const first = await runCli(["--wav_scp", scp, "--model", model("speech_tokenizer_v1"), "--output_dir", out]);
    assert.equal(first.code, 0, first.stderr);
    const recorded = JSON.parse(readFileSync(provenancePath(join(out, "part_1_of_1")), "utf8")) as { sha256: string; mode: string };
    assert.match(recorded.sha256, /^[0-9a-f]{64}$/);
    assert.equal(recorded.mode, "exact");

    const other = await runCli(["--wav_scp", scp, "--model", model(), "--output_dir", out]);
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /was written by model .*speech_tokenizer_v1.*mode exact, this run uses model .*speech_tokenizer_v2_25hz/);
    assert.equal(readJsonLines(join(out, "part_1_of_1")).length, 1);

    const fresh = await runCli(["--wav_scp", scp, "--model", model(), "--output_dir", out, "--overwrite"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(readJsonLines(join(out, "part_1_of_1")).length, 1);
  });

  test("a part with no record of its model is refused", async () => {
    const dir = scratch();
    const out = join(dir, "out");
    mkdirSync(out);
    writeFileSync(join(out, "part_1_of_1"), '{"key":"a","code":[1]}\n');
    const result = await runCli(["--wav_scp", list(dir, [`a ${wav()}`]), "--model", model(), "--output_dir", out]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /holds tokens but no record of the model/);
  });

  test("an error line does not repeat a 5 MB path in full", async () => {
    const dir = scratch();
    copyFileSync(wav(), join(dir, "good.wav"));
    const huge = "/nonexistent/" + "p".repeat(5_000_000) + ".wav";
    const out = join(dir, "out");
    const result = await runCli(["--wav_scp", list(dir, ["good good.wav", `bad ${huge}`]), "--model", model(), "--output_dir", out]);
    assert.equal(result.code, 3, result.stderr);
    const errorsText = readFileSync(join(out, "errors_1_of_1"), "utf8");
    assert.ok(errorsText.length < 10_000, `errors file is ${errorsText.length} bytes`);
    assert.match(errorsText, /characters left out/);
  });
});
