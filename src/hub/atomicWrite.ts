/**
 * Whole-file writes that readers never see half done: write a uniquely named temporary file in
 * the same directory, then rename it over the target (atomic on one file system).
 */
import { randomBytes } from "node:crypto";
import { rm, rename, writeFile } from "node:fs/promises";

/** A temporary name beside `path`, unique across processes and calls. */
export function temporaryPath(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
