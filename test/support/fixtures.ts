/**
 * Location of the shared conformance fixtures (computed by upstream PyTorch S3Tokenizer). They
 * live outside the project, next to it, and are optional: tests that need them skip when absent.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const skipReason = "../shared/fixtures/s3tokenizer not found: conformance tests skipped";

/** The directory holding package.json with name "s3tokenizer", found by walking up from here. */
function projectRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: unknown }).name === "s3tokenizer") return dir;
      } catch {
        // An unreadable package.json is not ours; keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let cached: string | null | undefined;

/** Absolute path of <project root>/../shared/fixtures/s3tokenizer, or null when it is absent. */
export function fixturesDir(): string | null {
  if (cached !== undefined) return cached;
  const root = projectRoot();
  const dir = root === null ? null : resolve(root, "..", "shared", "fixtures", "s3tokenizer");
  cached = dir !== null && existsSync(dir) && statSync(dir).isDirectory() ? dir : null;
  return cached;
}
