/**
 * Whole-file writes that readers never see half done: write a uniquely named temporary file in
 * the same directory, then rename it over the target (atomic on one file system).
 *
 * Output files a command writes (decoded WAVs, merged files, records beside a part) go through
 * `writeOutputFileSync` / `replaceOutputFileSync`, which also never write through or replace
 * anything but a regular file (a planted symlink, a device node such as /dev/full), create their
 * temporary files new (O_EXCL, O_NOFOLLOW), and turn a full or read-only disk into the typed
 * OutputWriteError every command reports, with the previous file left as it was.
 */
import { randomBytes } from "node:crypto";
import { closeSync, constants, lstatSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { rm, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isTokenizerError, OutputError, OutputWriteError } from "../errors.js";

/** A temporary name beside `path`, unique across processes and calls. */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    // "wx": created new, so a link planted under the temporary name is never written through.
    await writeFile(temporary, data, { flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** O_NOFOLLOW where the platform has it (not on Windows, where symlinks need privileges to make). */
export const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Open flags of a file created here and now: never an existing file, never through a symlink. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW;

/** What is at `path` when it is there and is not a regular file ("a symbolic link", ...), else null. */
export function nonRegularKind(path: string): string | null {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return null;
    throw asOutputWriteError(path, error); // EACCES, ENOTDIR, ...: still the typed error
  }
  if (stat.isFile()) return null;
  if (stat.isSymbolicLink()) return "a symbolic link";
  if (stat.isDirectory()) return "a directory";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isFIFO()) return "a named pipe";
  return "not a regular file";
}

/** Throws OutputError unless `path` is absent or a regular file: outputs never go through or over anything else. */
export function refuseNonRegular(path: string): void {
  const kind = nonRegularKind(path);
  if (kind !== null) {
    throw new OutputError(path, `is ${kind}, not a regular file; refusing to write through it or replace it (remove it, or write elsewhere)`);
  }
}

/**
 * A failed output write as the typed error commands report: a system error (ENOSPC, EROFS, EIO,
 * EACCES, ...) becomes OutputWriteError naming `path`; this package's errors pass unchanged.
 */
export function asOutputWriteError(path: string, error: unknown): unknown {
  if (isTokenizerError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return error;
  return new OutputWriteError(path, error instanceof Error ? error.message : String(error), code, { cause: error });
}

/** Writes `data` into a file that must not exist yet (see CREATE_NEW). */
function writeNewFile(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const fd = openSync(path, CREATE_NEW, 0o666);
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
  } finally {
    closeSync(fd);
  }
}

/** A temporary file left by an interrupted run is removed; anything else under that name is refused. */
function clearLeftover(temporary: string): void {
  refuseNonRegular(temporary);
  rmSync(temporary, { force: true });
}

/**
 * Replaces `path` as a whole: `write` creates the file `temporary` (in the target's folder), which
 * is then renamed over `path`, so `path` is the old file or the complete new one, never a part.
 * Without `temporary`, the file is written under `path`'s own name inside a new private folder
 * beside it (so a writer that names its content after the file, as torch's zip does, sees the real
 * name). A fixed `temporary` (decode's `KEY.wav.partial`) left by an interrupted run is removed
 * first. Throws OutputError when `path` or `temporary` is not a regular file, OutputWriteError
 * when the disk is full or read-only; the target is untouched and the temporary removed either way.
 */
export function replaceOutputFileSync(path: string, write: (temporary: string) => void, temporary?: string): void {
  refuseNonRegular(path);
  const folder = temporary === undefined ? mkdtempFor(path) : undefined;
  const file = temporary ?? join(folder!, basename(path));
  let created = false;
  try {
    if (temporary !== undefined) clearLeftover(temporary);
    created = true;
    write(file);
    refuseNonRegular(path); // again just before the rename: narrows the window for a swap
    renameSync(file, path);
  } catch (error) {
    if (created && nonRegularKind(file) === null) rmSync(file, { force: true });
    throw asOutputWriteError(path, error);
  } finally {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  }
}

function mkdtempFor(path: string): string {
  try {
    return mkdtempSync(join(dirname(path), ".s3tokenizer-tmp-"));
  } catch (error) {
    throw asOutputWriteError(path, error);
  }
}

/** `replaceOutputFileSync` of bytes or text (the temporary created new, never through a link). */
export function writeOutputFileSync(path: string, data: string | Uint8Array, temporary?: string): void {
  replaceOutputFileSync(path, (file) => writeNewFile(file, data), temporary);
}

/** Removes `path` if it is there (a link is removed itself, never its target). */
export function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== "ENOENT") throw asOutputWriteError(path, error);
  }
}
