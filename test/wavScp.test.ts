/** Kaldi wav.scp parsing. */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseWavScp, readWavScp } from "../src/audio/wavScp.js";
import { InvalidInputError } from "../src/errors.js";

test("keys, paths with spaces, comments, blank lines, relative paths and pipes", () => {
  const text = "# corpus\n\nutt1 a/b.wav\nutt2   /abs/path with space.wav  \nutt3 sox x.flac -t wav - |\n";
  const entries = parseWavScp(text, "/data/lists/wav.scp");
  assert.deepEqual(entries.map((e) => [e.key, e.path, e.isPipe]), [
    ["utt1", "/data/lists/a/b.wav", false],
    ["utt2", "/abs/path with space.wav", false],
    ["utt3", "sox x.flac -t wav - |", true],
  ]);
});

test("duplicate keys are one error listing them", () => {
  assert.throws(() => parseWavScp("a x.wav\nb y.wav\na z.wav\n", "list.scp"), (error: unknown) =>
    error instanceof InvalidInputError && error.message.includes("a (lines 1 and 3)") && error.message.includes("list.scp"));
});

test("a line without a path is an error naming the line", () => {
  assert.throws(() => parseWavScp("lonely\n", "list.scp"), /list\.scp:1/);
});

test("a list that cannot be read says why", async () => {
  const missing = join(mkdtempSync(join(tmpdir(), "wavscp-")), "wav.scp");
  await assert.rejects(readWavScp(missing), (error: unknown) => {
    assert.ok(error instanceof InvalidInputError);
    assert.equal(error.message, `${missing}: cannot read the wav.scp list: ENOENT: no such file or directory, open '${missing}'`);
    return true;
  });
});
