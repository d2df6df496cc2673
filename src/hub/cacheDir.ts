/**
 * Where the cache lives and how it is laid out:
 *
 *   <cache>/NAME.onnx                       a released file, verified against the registry's sha256
 *   <cache>/NAME.onnx.sha256                its checksum record (sha256, size, mtime)
 *   <cache>/NAME.onnx.partial               an interrupted download, resumed next time
 *   <cache>/NAME.onnx.lock/                 held while one process verifies or downloads NAME
 *   <cache>/converted/SHA-BUILDER.onnx      the batched graph built from the released file SHA
 *   <cache>/converted/SHA-BUILDER.json      its ModelInfo (version, dims)
 *   <cache>/converted/SHA-BUILDER.onnx.packed-KEY/  the graph with onnxruntime's packed weights (runtime/packedCopy.ts)
 *   <cache>/digests/HASH.json               checksum records of released files outside the cache
 */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/**
 * `explicit` (an option), else $S3TOKENIZER_CACHE, else $XDG_CACHE_HOME/s3tokenizer, else
 * ~/.cache/s3tokenizer. Always absolute.
 */
export function defaultCacheDir(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  const own = env["S3TOKENIZER_CACHE"];
  if (own) return resolve(own);
  // The XDG base directory spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env["XDG_CACHE_HOME"];
  if (xdg && isAbsolute(xdg)) return join(xdg, "s3tokenizer");
  return join(homedir(), ".cache", "s3tokenizer");
}

export interface CachedModelPaths {
  /** The verified released file. */
  file: string;
  /** Its checksum record. */
  record: string;
  /** The download in progress or interrupted. */
  partial: string;
}

export function cachedModelPaths(cacheDir: string, name: string): CachedModelPaths {
  const file = join(cacheDir, `${name}.onnx`);
  return { file, record: checksumRecordPath(file), partial: `${file}.partial` };
}

/**
 * One file of a multi-file model: `<cache>/<name>/<file>` (single-file models keep
 * `<cache>/<name>.onnx`, so existing caches stay valid).
 */
export function cachedFilePaths(cacheDir: string, name: string, file: string): CachedModelPaths {
  const path = join(cacheDir, name, file);
  return { file: path, record: checksumRecordPath(path), partial: `${path}.partial` };
}

/** The checksum record kept beside a file. */
export function checksumRecordPath(file: string): string {
  return `${file}.sha256`;
}

export function convertedDir(cacheDir: string): string {
  return join(cacheDir, "converted");
}

export function digestsDir(cacheDir: string): string {
  return join(cacheDir, "digests");
}
