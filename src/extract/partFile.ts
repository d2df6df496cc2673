/**
 * The output files of one rank: `part_R_of_W` with one line per utterance (a JSON line
 * {"key", "code"}, or FunCodec's `key [[[...]]]`: see partFormat.ts), and `errors_R_of_W` with one line {"key", "path", "error"} per failure.
 * Reopening a part resumes it: keys already there are skipped, and a last line cut off by a
 * crash is removed (its key is then done again).
 */
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { OutputError, OutputWriteError } from "../errors.js";
import { NO_FOLLOW, refuseNonRegular } from "../hub/atomicWrite.js";
import { join } from "node:path";
import { partLineKey } from "../parts/partFormat.js";

export interface PartPaths {
  part: string;
  errors: string;
}

export function partPaths(outputDir: string, rank: number, worldSize: number): PartPaths {
  const suffix = `${rank + 1}_of_${worldSize}`;
  return { part: join(outputDir, `part_${suffix}`), errors: join(outputDir, `errors_${suffix}`) };
}

/**
 * Reads the keys already in a part file and cuts off an incomplete or unparsable tail, so that
 * appending continues after the last complete line. Returns the keys done.
 */
export function recoverPart(path: string): { doneKeys: Set<string>; droppedBytes: number } {
  const doneKeys = new Set<string>();
  refuseNonRegular(path); // a link would have its target cut off below
  if (!existsSync(path)) return { doneKeys, droppedBytes: 0 };
  const bytes = readFileSync(path);
  let goodEnd = 0;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const key = partLineKey(bytes.subarray(lineStart, i).toString("utf8"));
    if (key === null) break; // a damaged line: everything from here on is redone
    doneKeys.add(key);
    goodEnd = i + 1;
    lineStart = i + 1;
  }
  if (goodEnd < bytes.length) {
    const fd = openSync(path, constants.O_RDWR | NO_FOLLOW);
    ftruncateSync(fd, goodEnd);
    closeSync(fd);
  }
  return { doneKeys, droppedBytes: bytes.length - goodEnd };
}

/** How the appender writes: node:fs writeSync's shape, replaceable to inject faults in tests. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

/**
 * Appends JSON lines with one write per batch, so a crash loses at most the batch in flight. A
 * write that fails (ENOSPC, EIO) is rolled back to the last whole line and the appender refuses
 * every later write, so the file never holds a cut-off line and a rerun resumes it.
 */
export class JsonLinesAppender {
  private fd: number;
  private size: number;
  private failure: OutputWriteError | null = null;
  constructor(
    private readonly path: string,
    truncate = false,
    private readonly write: WriteFn = writeSync,
  ) {
    // Never through a planted link, never into a device or a pipe (which would block the open).
    refuseNonRegular(path);
    const flags = constants.O_WRONLY | constants.O_CREAT | (truncate ? constants.O_TRUNC : constants.O_APPEND) | NO_FOLLOW;
    try {
      this.fd = openSync(path, flags, 0o666);
    } catch (error) {
      throw new OutputError(path, `cannot open for writing: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    this.size = fstatSync(this.fd).size;
  }

  append(records: readonly unknown[]): void {
    this.appendLines(records.map((r) => JSON.stringify(r)));
  }

  /** Appends lines already formatted (without their newlines), all in one write. */
  appendLines(lines: readonly string[]): void {
    if (this.failure !== null) throw this.failure;
    if (lines.length === 0) return;
    const bytes = Buffer.from(lines.map((line) => line + "\n").join(""), "utf8");
    try {
      for (let at = 0; at < bytes.length; ) at += this.write(this.fd, bytes, at, bytes.length - at);
      this.size += bytes.length;
    } catch (error) {
      try {
        ftruncateSync(this.fd, this.size); // drop the part of the batch that did reach the file
      } catch {
        // Rolling back failed too: recoverPart cuts the partial line when the run resumes.
      }
      const code = (error as { code?: unknown }).code;
      this.failure = new OutputWriteError(this.path, error instanceof Error ? error.message : String(error), typeof code === "string" ? code : undefined, { cause: error });
      throw this.failure;
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
