/**
 * Opening an input file that must be a regular file, and reading small ones whole within a bound.
 * A FIFO opened for reading waits for a writer forever, and /dev/zero never ends: the file is
 * opened without blocking, then its type checked on the open descriptor (not on the path, which
 * could change in between), so such paths are refused at once.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";

/** Builds the caller's typed error from what is wrong (`cause`: the system error, where one). */
export type FileProblem = (problem: string, cause?: unknown) => Error;

/** How refusals name the file: "cannot read the file: ...", "(a folder, not a checkpoint file)". */
export interface FileNoun {
  /** What a refused path is not ("a checkpoint file"); absent: the folder is just said to be one. */
  expected?: string;
  /** "the file" after "cannot read"; absent: "cannot read: ...". */
  subject?: string;
}

/** An open descriptor of a regular file and its size; the caller closes it. */
export function openRegularFile(path: string, problem: FileProblem, noun: FileNoun = {}): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const subject = noun.subject === undefined ? "" : ` ${noun.subject}`;
    throw problem(`cannot read${subject}: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    const kind = stats.isDirectory() ? "a folder" : "a device, FIFO or socket";
    throw problem(`not a regular file (${kind}${noun.expected === undefined ? "" : `, not ${noun.expected}`})`);
  }
  return { fd, size: stats.size };
}

/** Exactly `target.length` bytes at `position`; a file that ends first is `problem`'s error. */
export function readExactly(fd: number, target: Uint8Array, position: number, problem: FileProblem): void {
  let done = 0;
  while (done < target.length) {
    const got = readSync(fd, target, done, target.length - done, position + done);
    if (got === 0) throw problem(`the file ended at byte ${position + done}, ${target.length - done} bytes short`);
    done += got;
  }
}

/** A regular file's text (UTF-8), refused when it is larger than `maxBytes`. */
export function readRegularText(path: string, maxBytes: number, problem: FileProblem): string {
  const { fd, size } = openRegularFile(path, problem);
  try {
    if (size > maxBytes) throw problem(`${size} bytes is more than such a file may hold (${maxBytes})`);
    const bytes = Buffer.alloc(size);
    readExactly(fd, bytes, 0, problem);
    return bytes.toString("utf8");
  } finally {
    closeSync(fd);
  }
}
