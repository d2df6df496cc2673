/**
 * Output files: replaced whole (temporary beside the target, then renamed) or not at all, never
 * written through or over a symlink or a device, a full disk as the typed OutputWriteError; and
 * the provenance record under its name that `part_*` does not match, the old name still read.
 */
import assert from "node:assert/strict";
import { closeSync, existsSync, lstatSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { OutputError, OutputWriteError } from "../src/errors.js";
import { JsonLinesAppender, recoverPart } from "../src/extract/partFile.js";
import { claimPart, legacyProvenancePath, provenancePath, type Provenance } from "../src/extract/provenance.js";
import { replaceOutputFileSync, writeOutputFileSync } from "../src/hub/atomicWrite.js";

const scratch = (): string => mkdtempSync(join(tmpdir(), "s3tok-atomic-"));
const noSymlinks = process.platform === "win32" ? "symlinks need privileges on Windows" : false;

/** A folder holding `victim` (a file some link points at) and a link `name` to it. */
function plantedLink(name: string): { dir: string; link: string; victim: string } {
  const dir = scratch();
  const victim = join(dir, "victim.txt");
  writeFileSync(victim, "precious\n");
  const link = join(dir, name);
  symlinkSync(victim, link);
  return { dir, link, victim };
}

test("writeOutputFileSync replaces a file whole and leaves nothing else behind", () => {
  const dir = scratch();
  const target = join(dir, "merged.jsonl");
  writeFileSync(target, "old\n");
  writeOutputFileSync(target, "new\n");
  assert.equal(readFileSync(target, "utf8"), "new\n");
  assert.deepEqual(readdirSync(dir), ["merged.jsonl"]);
});

test("a symlink as the target is refused, its target untouched", { skip: noSymlinks }, () => {
  const { link, victim } = plantedLink("merged.jsonl");
  assert.throws(() => writeOutputFileSync(link, "new\n"), (e: unknown) => e instanceof OutputError && /is a symbolic link, not a regular file/.test(e.message));
  assert.equal(readFileSync(victim, "utf8"), "precious\n");
  assert.ok(lstatSync(link).isSymbolicLink());
});

test("a device as the target is refused and stays a device", { skip: existsSync("/dev/null") ? false : "no /dev/null" }, () => {
  assert.throws(() => writeOutputFileSync("/dev/null", "x"), (e: unknown) => e instanceof OutputError && /\/dev\/null: is a device/.test(e.message));
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
});

test("a symlink planted under the fixed temporary name is refused, its target untouched; a leftover file is replaced", { skip: noSymlinks }, () => {
  const { dir, link, victim } = plantedLink("a.wav.partial");
  const wav = join(dir, "a.wav");
  assert.throws(() => writeOutputFileSync(wav, "RIFF", link), (e: unknown) => e instanceof OutputError && /a\.wav\.partial: is a symbolic link/.test(e.message));
  assert.equal(readFileSync(victim, "utf8"), "precious\n");
  assert.ok(lstatSync(link).isSymbolicLink(), "the planted link is left for its owner");
  assert.equal(existsSync(wav), false);

  const leftover = join(dir, "b.wav.partial");
  writeFileSync(leftover, "half a WAV from a crashed run");
  writeOutputFileSync(join(dir, "b.wav"), "RIFF", leftover);
  assert.equal(readFileSync(join(dir, "b.wav"), "utf8"), "RIFF");
  assert.equal(existsSync(leftover), false);
});

test("a full disk (writing to /dev/full) is OutputWriteError ENOSPC: the previous file intact, no temporary left", { skip: existsSync("/dev/full") ? false : "no /dev/full" }, () => {
  const dir = scratch();
  const target = join(dir, "utt2speech_token.pt");
  writeFileSync(target, "the previous good file");
  // The writer fills its temporary and then meets the full disk, as a torch zip writer on a full disk does.
  const fillsTheDisk = (temporary: string) => {
    writeFileSync(temporary, "first bytes");
    const full = openSync("/dev/full", "w");
    try {
      writeSync(full, Buffer.alloc(4096));
    } finally {
      closeSync(full);
    }
  };
  assert.throws(() => replaceOutputFileSync(target, fillsTheDisk), (e: unknown) => e instanceof OutputWriteError && e.systemCode === "ENOSPC" && e.message.includes(target));
  assert.equal(readFileSync(target, "utf8"), "the previous good file");
  assert.deepEqual(readdirSync(dir), ["utt2speech_token.pt"]);
});

test("an appended file (errors, part) that is a symlink is refused before anything is cut or written", { skip: noSymlinks }, () => {
  const { link, victim } = plantedLink("decode_errors_1_of_1");
  assert.throws(() => new JsonLinesAppender(link, true), (e: unknown) => e instanceof OutputError && /symbolic link/.test(e.message));
  assert.throws(() => new JsonLinesAppender(link, false), OutputError);
  assert.throws(() => recoverPart(link), OutputError);
  assert.equal(readFileSync(victim, "utf8"), "precious\n");
});

const record = (sha256: string): Provenance => ({ model: "m", sha256, family: "speechtokenizer", mode: "exact", codebooks: 8 });

test("the provenance record is provenance_R_of_W.json, which part_* does not match", () => {
  const dir = scratch();
  const part = join(dir, "part_2_of_3");
  assert.equal(provenancePath(part), join(dir, "provenance_2_of_3.json"));
  claimPart(part, record("a".repeat(64)), false);
  writeFileSync(part, '{"key": "k", "code": [1]}\n');
  assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith("part_")), ["part_2_of_3"]);
  assert.equal((JSON.parse(readFileSync(join(dir, "provenance_2_of_3.json"), "utf8")) as Provenance).sha256, "a".repeat(64));
});

test("a record under the old name is still read (a mismatch refused) and is replaced by the new name", () => {
  const dir = scratch();
  const part = join(dir, "part_1_of_1");
  writeFileSync(part, '{"key": "k", "code": [1]}\n');
  writeFileSync(legacyProvenancePath(part), JSON.stringify(record("a".repeat(64))));
  assert.throws(() => claimPart(part, record("b".repeat(64)), false), (e: unknown) => e instanceof OutputError && /was written by model m/.test(e.message));
  claimPart(part, record("a".repeat(64)), false);
  assert.equal(existsSync(legacyProvenancePath(part)), false);
  assert.ok(existsSync(provenancePath(part)));
});
