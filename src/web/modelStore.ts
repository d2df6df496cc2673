/**
 * Model files in a page: downloaded from a URL (the registry's, a mirror's, or the user's) or
 * taken from a file the user picked, with progress; checked against their sha256 with Web Crypto;
 * kept in the Cache API under their sha256, so the second visit downloads nothing.
 *
 * Memory: a download with a known length streams into one preallocated array (no
 * arrayBuffer() + copy chains); the bytes are handed to the caller, which drops each file once its
 * model is built (takeFile).
 */
import { ChecksumMismatchError, DownloadError, InvalidInputError, StorageQuotaError } from "../errors.js";
import type { ModelFileSpec } from "../family/types.js";
import { SINGLE_FILE_NAME, type ModelEntry } from "../hub/registry.js";

/** The Cache API bucket the model files are kept in. */
export const MODEL_CACHE_NAME = "s3tokenizer-models";

/** One file of a model as a page gets it. */
export interface WebFileSpec {
  /** The name the family knows it by ("config.json", "model.onnx", ...). */
  file: string;
  /** Where to download it; absent when `blob` is given. */
  url?: string;
  /** A file the user picked (a File is a Blob). */
  blob?: Blob;
  /** Lowercase hex; when known the bytes are checked and kept in the cache under it. */
  sha256?: string;
  /** Bytes, when known (progress before the server says). */
  size?: number;
}

export interface FetchProgress {
  /** The file being read. */
  file: string;
  /** Bytes of it read so far. */
  loaded: number;
  /** Its size, when known. */
  total: number | null;
  /** Where the bytes come from. */
  from: "network" | "cache" | "file";
}

export interface FetchModelOptions {
  onProgress?: (progress: FetchProgress) => void;
  signal?: AbortSignal;
  /**
   * The Cache API to keep files in (default: the page's `caches`, where it exists); null keeps
   * nothing.
   */
  cacheStorage?: CacheStorage | null;
  /** The fetch to download with (default: the page's). */
  fetch?: typeof fetch;
  /**
   * Told when a verified file cannot be kept (quota spent, storage disabled); the model still
   * loads from the downloaded bytes. Default: a console warning.
   */
  onStorageError?: (error: StorageQuotaError) => void;
}

/** File name → its bytes. */
export type ModelBytes = Map<string, Uint8Array>;

/** The files of a registry entry (a single-file S3 entry's one file is SINGLE_FILE_NAME). */
export function entryFiles(entry: ModelEntry): WebFileSpec[] {
  const files: readonly ModelFileSpec[] = entry.files ?? [{ file: SINGLE_FILE_NAME, url: entry.url, sha256: entry.sha256 }];
  // Carried files (a config the entry pins by its text) come from the entry itself, not the network.
  const carried = Object.entries(entry.carried ?? {}).map(([file, text]): WebFileSpec => {
    const blob = new Blob([text]);
    return { file, blob, size: blob.size };
  });
  return [...files.map((spec) => ({ ...spec })), ...carried];
}

/** A file's bytes for its model's loader, dropped from `files` so that only the loader holds them. */
export function takeFile(files: ModelBytes, name: string, source: string): Uint8Array {
  const bytes = files.get(name);
  if (bytes === undefined) throw new InvalidInputError(`${source}: the model's files hold no ${name} (files: ${[...files.keys()].join(", ")})`);
  files.delete(name);
  return bytes;
}

/** The cache key of a file: its sha256 (an address, never fetched). */
function cacheKey(sha256: string): string {
  return `https://s3tokenizer.invalid/sha256/${sha256}`;
}

function hex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** sha256 of `bytes`, lowercase hex (Web Crypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * A stream read whole: into one array of `total` bytes when the length is known (the chunks are
 * copied in as they arrive), else gathered and joined once at the end.
 */
async function readAll(stream: ReadableStream<Uint8Array>, total: number | null, progress: (loaded: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  let whole: Uint8Array | null = total === null ? null : new Uint8Array(total);
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      if (whole !== null && loaded + value.length <= whole.length) {
        whole.set(value, loaded);
      } else {
        // Longer than announced (e.g. a compressed transfer's length): gather the rest.
        if (whole !== null) chunks.push(whole.subarray(0, loaded));
        whole = null;
        chunks.push(value);
      }
      loaded += value.length;
      progress(loaded);
    }
  } finally {
    reader.releaseLock();
  }
  if (whole !== null) return loaded === whole.length ? whole : whole.subarray(0, loaded);
  if (chunks.length === 1) return chunks[0]!;
  const joined = new Uint8Array(loaded);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return joined;
}

function defaultCaches(): CacheStorage | null {
  return (globalThis as { caches?: CacheStorage }).caches ?? null;
}

/** Where a spec's bytes are read from, for messages. */
function origin(spec: WebFileSpec): string {
  return spec.url ?? (spec.blob instanceof File ? spec.blob.name : spec.file);
}

async function download(spec: WebFileSpec & { url: string }, options: FetchModelOptions): Promise<Uint8Array> {
  const fetcher = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await fetcher(spec.url, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new DownloadError(spec.url, error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (!response.ok || response.body === null) {
    throw new DownloadError(spec.url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`);
  }
  const announced = Number(response.headers.get("content-length"));
  const total = spec.size ?? (Number.isSafeInteger(announced) && announced > 0 ? announced : null);
  try {
    return await readAll(response.body, total, (loaded) => options.onProgress?.({ file: spec.file, loaded, total, from: "network" }), options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new DownloadError(spec.url, `the transfer broke off: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A verified file from the cache, or null when it is not there (or not whole). */
async function fromCache(cache: Cache | null, spec: WebFileSpec, options: FetchModelOptions): Promise<Uint8Array | null> {
  if (cache === null || spec.sha256 === undefined) return null;
  const hit = await cache.match(cacheKey(spec.sha256)).catch(() => undefined);
  if (!hit?.body) return null;
  const size = Number(hit.headers.get("x-size"));
  const bytes = await readAll(hit.body, size, (loaded) => options.onProgress?.({ file: spec.file, loaded, total: size, from: "cache" }), options.signal);
  // Stored only after its sha256 matched; a short read means a damaged entry, read again.
  return bytes.length === size && (spec.size === undefined || spec.size === size) ? bytes : null;
}

async function store(cache: Cache | null, spec: WebFileSpec & { sha256: string }, bytes: Uint8Array, options: FetchModelOptions): Promise<void> {
  if (cache === null) return;
  try {
    const headers = { "content-type": "application/octet-stream", "x-size": String(bytes.length) };
    await cache.put(cacheKey(spec.sha256), new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
  } catch (error) {
    const quota = error instanceof Error && error.name === "QuotaExceededError";
    const problem = quota ? "the storage quota is spent" : `the Cache API refused it (${error instanceof Error ? error.message : String(error)})`;
    const failure = new StorageQuotaError(spec.file, `${problem}; it will be downloaded again next time`, { cause: error });
    if (options.onStorageError) options.onStorageError(failure);
    else console.warn(failure.message);
  }
}

/** One file's bytes: from the cache, else downloaded or read from the picked file, then verified and kept. */
async function fetchOne(spec: WebFileSpec, cache: Cache | null, options: FetchModelOptions): Promise<Uint8Array> {
  const cached = await fromCache(cache, spec, options);
  if (cached !== null) return cached;
  let bytes: Uint8Array;
  if (spec.blob !== undefined) {
    const size = spec.blob.size;
    bytes = await readAll(spec.blob.stream(), size, (loaded) => options.onProgress?.({ file: spec.file, loaded, total: size, from: "file" }), options.signal);
  } else if (spec.url !== undefined) {
    bytes = await download({ ...spec, url: spec.url }, options);
  } else {
    throw new InvalidInputError(`${spec.file}: neither a URL nor a file to read it from`);
  }
  if (spec.sha256 !== undefined) {
    const expected = spec.sha256.toLowerCase();
    const actual = await sha256Hex(bytes);
    if (actual !== expected) throw new ChecksumMismatchError(origin(spec), expected, actual);
    await store(cache, { ...spec, sha256: expected }, bytes, options);
  }
  return bytes;
}

/**
 * The bytes of a model's files: a registry entry's, a list of specs, or file name → URL. Files
 * are read one after another (one large transfer at a time).
 */
export async function fetchModelFiles(
  files: ModelEntry | readonly WebFileSpec[] | Readonly<Record<string, string>>,
  options: FetchModelOptions = {},
): Promise<ModelBytes> {
  const specs: WebFileSpec[] = Array.isArray(files)
    ? [...(files as readonly WebFileSpec[])]
    : "sha256" in files && "origin" in files
      ? entryFiles(files as ModelEntry)
      : Object.entries(files as Record<string, string>).map(([file, url]) => ({ file, url }));
  const storage = options.cacheStorage === undefined ? defaultCaches() : options.cacheStorage;
  const cache = storage === null ? null : await storage.open(MODEL_CACHE_NAME).catch(() => null);
  const bytes: ModelBytes = new Map();
  for (const spec of specs) bytes.set(spec.file, await fetchOne(spec, cache, options));
  return bytes;
}

/** Removes every kept model file (the page's "clear storage"). */
export async function clearModelCache(cacheStorage: CacheStorage | null = defaultCaches()): Promise<boolean> {
  return cacheStorage === null ? false : cacheStorage.delete(MODEL_CACHE_NAME);
}
