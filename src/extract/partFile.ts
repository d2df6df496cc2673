/**
 * The output files of one rank: `part_R_of_W` with one JSON line {"key", "code"} per
 * utterance, and `errors_R_of_W` with one line {"key", "path", "error"} per failure.
 * Reopening a part resumes it: keys already there are skipped, and a last line cut off by a
 * crash is removed (its key is then done again).
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

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
  if (!existsSync(path)) return { doneKeys, droppedBytes: 0 };
  const bytes = readFileSync(path);
  let goodEnd = 0;
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const key = parsedKey(bytes.subarray(lineStart, i).toString("utf8"));
    if (key === null) break; // a damaged line: everything from here on is redone
    doneKeys.add(key);
    goodEnd = i + 1;
    lineStart = i + 1;
  }
  if (goodEnd < bytes.length) {
    const fd = openSync(path, "r+");
    ftruncateSync(fd, goodEnd);
    closeSync(fd);
  }
  return { doneKeys, droppedBytes: bytes.length - goodEnd };
}

function parsedKey(line: string): string | null {
  try {
    const value = JSON.parse(line) as { key?: unknown; code?: unknown };
    return typeof value.key === "string" && Array.isArray(value.code) ? value.key : null;
  } catch {
    return null;
  }
}

/** Appends JSON lines with one write per batch, so a crash loses at most the batch in flight. */
export class JsonLinesAppender {
  private fd: number;
  constructor(path: string, truncate = false) {
    this.fd = openSync(path, truncate ? "w" : "a");
  }

  append(records: readonly unknown[]): void {
    if (records.length === 0) return;
    writeSync(this.fd, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
