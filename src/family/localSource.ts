/**
 * Node's model sources: a local file or folder, and the files of a registry entry in the hub's
 * cache. Files are read when a family asks (readWholeFile: regular files only, read in chunks
 * past fs.readFile's 2 GiB limit); detection lists a folder and reads headers or configs only.
 */
import { closeSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CheckpointFormatError } from "../errors.js";
import { readWholeFile } from "../checkpoint/readWholeFile.js";
import { readConfigFile } from "./configFile.js";
import type { ModelSource } from "./modelSource.js";
import { openRegularFile } from "../files/regularFile.js";
import type { ModelFiles } from "./types.js";

/**
 * The entries of folder `dir` that are not folders (names), sorted; none when it cannot be listed.
 * A FIFO or device is listed too: the family that takes a file of that name refuses it by name
 * when it reads it, rather than the folder looking like no model at all.
 */
function fileEntries(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => !entry.isDirectory() && !(entry.isSymbolicLink() && statSync(join(dir, entry.name), { throwIfNoEntry: false })?.isDirectory() === true))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** Reads up to `length` bytes from the start of a regular file. */
function readHead(path: string, length: number): Uint8Array {
  const { fd, size } = openRegularFile(path, (problem, cause) => new CheckpointFormatError(path, problem, cause === undefined ? {} : { cause }), { subject: "the file" });
  try {
    const bytes = new Uint8Array(Math.min(length, size));
    let done = 0;
    while (done < bytes.length) {
      const got = readSync(fd, bytes, done, bytes.length - done, done);
      if (got === 0) break;
      done += got;
    }
    return bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** A source over files given by name → path (every file may sit in a different folder). */
export function filesSource(files: ModelFiles, label: string, chosen?: string): ModelSource {
  const pathOf = (name: string): string => files[name] ?? join(label, name);
  return {
    label,
    names: Object.keys(files),
    ...(chosen === undefined ? {} : { chosen }),
    locate: pathOf,
    localPath: pathOf,
    read: async (name) => readWholeFile(pathOf(name)),
    head: async (name, length) => readHead(pathOf(name), length),
    text: async (name, problem) => readConfigFile(pathOf(name), problem),
  };
}

/**
 * The source of a local path: a folder gives its files; a file gives its folder's files
 * with that file `chosen` (a family that takes one file reads only it; one that takes a checkpoint
 * and its config finds the config beside it). Null when nothing is at `path`.
 */
export function localSource(path: string): ModelSource | null {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return null;
  const dir = stats.isDirectory() ? path : dirname(path);
  const names = fileEntries(dir);
  const chosen = stats.isDirectory() ? undefined : basename(path);
  if (chosen !== undefined && !names.includes(chosen)) names.push(chosen);
  return filesSource(Object.fromEntries(names.map((name) => [name, join(dir, name)])), path, chosen);
}
