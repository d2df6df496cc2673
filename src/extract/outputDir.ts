/**
 * The output directory is checked before the model loads (which can take minutes): it must be a
 * directory, or creatable as one under a writable directory. A fault found later would waste the
 * load. Nothing is left behind by the check: the directory itself is created only when work starts.
 */
import { existsSync, mkdtempSync, rmdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { OutputError } from "../errors.js";

function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EROFS") return "read-only file system";
  if (code === "ENOSPC") return "no space left on the device";
  return error instanceof Error ? error.message : String(error);
}

/** Throws OutputError naming `dir` unless it is (or can be created as) a writable directory. */
export function checkOutputDir(dir: string): void {
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    const where = existing === resolve(dir) ? "it is a file" : `${existing} is a file`;
    throw new OutputError(dir, `cannot use as the output directory: ${where}`);
  }
  // access(W_OK) says yes to root on any mode and knows nothing of read-only mounts: really write.
  try {
    rmdirSync(mkdtempSync(join(existing, ".s3tokenizer-write-test-")));
  } catch (error) {
    const where = existing === resolve(dir) ? "" : ` (${existing}, where it would be created)`;
    throw new OutputError(dir, `output directory is not writable${where}: ${reason(error)}`, { cause: error });
  }
}
