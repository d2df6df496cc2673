/**
 * Fingerprint of the code that turns a released checkpoint into a graph (every family's weight
 * import and builders under models/, the ONNX format code under onnx/, the checkpoint readers
 * under checkpoint/): converted graphs are cached under it, so any change to that code
 * invalidates them by itself, with no version number to remember to bump.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Folders (under the compiled src/) whose code shapes a converted graph. */
export const BUILDER_DIRS: readonly string[] = ["models", "onnx", "checkpoint"];

/** Every .js file under `dir`, recursively, as paths relative to `root` with "/" separators. */
function jsFiles(root: string, dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...jsFiles(root, path));
    else if (entry.isFile() && entry.name.endsWith(".js")) found.push(relative(root, path).split(sep).join("/"));
  }
  return found;
}

/**
 * sha256 (16 hex digits) over the relative path and bytes of every .js file under `dirs` of
 * `root`, in sorted path order (missing folders count as empty), so a file moved, added or
 * changed at any depth changes it.
 */
export function fingerprintTree(root: string, dirs: readonly string[]): string {
  const files = dirs.flatMap((dir) => (existsSync(join(root, dir)) ? jsFiles(root, join(root, dir)) : [])).sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(file).update("\0").update(readFileSync(join(root, file)));
  return hash.digest("hex").slice(0, 16);
}

/** The fingerprint of this build's graph-making code. */
export const BUILDER_VERSION: string = fingerprintTree(join(dirname(fileURLToPath(import.meta.url)), ".."), BUILDER_DIRS);
