/**
 * A cache of files derived from a model's files (a family's converted graphs), kept for the next
 * start. The loader passes one in (Node: a folder of the hub's cache, hub/derivedFiles.ts); a page
 * passes none and builds every time. The families never reach the hub themselves.
 */
export interface DerivedFileCache {
  /** The folder derived files live in (the family creates it when it stores one). */
  readonly dir: string;
  /** true: reuse what is stored; "refresh": rebuild and replace it (a damaged entry); false: store nothing. */
  readonly policy: boolean | "refresh";
  /**
   * The sha256 of a local model file, which keys what is derived from it: the digest recorded
   * for it while its size and mtime hold, else computed and recorded; null when it cannot be read.
   */
  digest(path: string): Promise<string | null>;
  /** Runs `work` holding the lock of `path`: processes starting together derive a file once. */
  withLock<T>(path: string, work: () => Promise<T>): Promise<T>;
  /** Writes `data` to `path` so that a reader sees the old file or the whole new one. */
  writeAtomic(path: string, data: string | Uint8Array): Promise<void>;
  /** A fresh name beside `path`, for a file written whole and then renamed to `path`. */
  temporaryPath(path: string): string;
}
