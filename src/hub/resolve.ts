/**
 * A model argument → a local released file. A path is used as it is; a registry name is served
 * from the cache, downloaded into it first when needed (online), or reported precisely missing
 * (offline).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, sep } from "node:path";
import {
  DownloadError,
  InvalidInputError,
  type MissingModelFile,
  ModelNotFoundError,
  OfflineModelMissingError,
  TokenizerError,
  UnknownModelError,
} from "../errors.js";
import { cachedFilePaths, cachedModelPaths, type CachedModelPaths } from "./cacheDir.js";
import { checkCachedModel, removeCachedModel, type CacheCheck } from "./cachedModel.js";
import { writeChecksumRecord } from "./checksumRecord.js";
import { downloadFile } from "./download.js";
import { writeFileAtomic } from "./atomicWrite.js";
import { withFileLock } from "./fileLock.js";
import { hubSettings, type HubOptions, type HubSettings } from "./options.js";
import type { ModelEntry } from "./registry.js";
import { loadRegistry } from "./registryFile.js";

export interface ResolvedModel {
  /** The local released file. */
  path: string;
  /** The registry entry, when a name was resolved. */
  entry?: ModelEntry;
  /** True when this call downloaded the file. */
  downloaded: boolean;
}

/** An argument that can only mean a file: it has a directory part or the .onnx extension. */
export function isPathLike(value: string): boolean {
  return value.includes("/") || value.includes(sep) || value.endsWith(".onnx");
}

function note(settings: HubSettings, message: string): void {
  if (settings.download.progress) process.stderr.write(`s3tokenizer: ${message}\n`);
}

/** One file to serve from the cache: what it is, where it goes, where it comes from. */
interface CachedFileSpec {
  /** Names it in messages and progress (the model's name, or `<model>/<file>`). */
  label: string;
  url: string;
  sha256: string;
  paths: CachedModelPaths;
}

/** The verified cached file of `entry`, downloaded under the file's lock when needed. */
async function cachedModel(entry: ModelEntry, settings: HubSettings): Promise<ResolvedModel> {
  const paths = cachedModelPaths(settings.cacheDir, entry.name);
  const spec: CachedFileSpec = { label: entry.name, url: entry.url, sha256: entry.sha256, paths };
  const found = await checkCachedModel(paths, entry.sha256);
  if (found.state === "verified") return { path: paths.file, entry, downloaded: false };
  if (settings.offline) {
    const missing = await offlineMissing(spec, found, settings);
    throw new OfflineModelMissingError(entry.name, missing.expectedPath, missing.url, missing.why);
  }
  const downloaded = await fetchCachedFile(spec, settings);
  return { path: paths.file, entry, downloaded };
}

/** Why a file is not usable offline; a corrupt copy is removed. */
async function offlineMissing(spec: CachedFileSpec, found: CacheCheck, settings: HubSettings): Promise<MissingModelFile> {
  if (found.state === "corrupt") {
    await removeCachedModel(spec.paths);
    return {
      expectedPath: spec.paths.file,
      url: spec.url,
      why: `the cached copy failed its sha256 check (expected ${spec.sha256}, got ${found.actual}) and was removed`,
    };
  }
  return { expectedPath: spec.paths.file, url: spec.url, why: `it is not in the cache ${settings.cacheDir}` };
}

/** Downloads a file into the cache (online); false when another process had fetched it meanwhile. */
async function fetchCachedFile(spec: CachedFileSpec, settings: HubSettings): Promise<boolean> {
  try {
    await mkdir(dirname(spec.paths.file), { recursive: true });
    return await fetchUnderLock(spec, settings);
  } catch (error) {
    if (error instanceof TokenizerError) throw error;
    // The cache directory or its lock cannot be created (permissions, read-only, full disk).
    throw new DownloadError(spec.url, `cannot use the cache ${settings.cacheDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Checks again and downloads, holding the file's lock: one process per machine fetches. */
async function fetchUnderLock(spec: CachedFileSpec, settings: HubSettings): Promise<boolean> {
  const { paths } = spec;
  const lock = {
    pollMs: settings.download.lockPollMs,
    onWait: () => note(settings, `waiting for another process to finish fetching ${spec.label}`),
  };
  return withFileLock(paths.file, lock, async (lost) => {
    // Whoever held the lock before us may have fetched it meanwhile.
    const check = await checkCachedModel(paths, spec.sha256);
    if (check.state === "verified") return false;
    if (check.state === "corrupt") {
      note(settings, `${paths.file} failed its sha256 check (got ${check.actual}); fetching it again`);
      await removeCachedModel(paths);
    }
    await downloadFile({
      url: spec.url,
      dest: paths.file,
      partial: paths.partial,
      sha256: spec.sha256,
      label: spec.label,
      options: settings.download,
      signal: lost,
    });
    await writeChecksumRecord(paths.record, paths.file, spec.sha256);
    return true;
  });
}

/** The local files of a model: file name → path. */
export interface ResolvedModelFiles {
  files: Record<string, string>;
  entry: ModelEntry;
  /** True when this call downloaded any of them. */
  downloaded: boolean;
}

/**
 * Every file of a multi-file entry, verified in `<cache>/<name>/<file>`, each downloaded under its
 * own lock when needed. Offline, one OfflineModelMissingError names every missing file and where
 * it goes.
 */
export async function cachedModelFiles(entry: ModelEntry, settings: HubSettings): Promise<ResolvedModelFiles> {
  const specs: CachedFileSpec[] = (entry.files ?? []).map((file) => ({
    label: `${entry.name}/${file.file}`,
    url: file.url,
    sha256: file.sha256,
    paths: cachedFilePaths(settings.cacheDir, entry.name, file.file),
  }));
  const checks = await Promise.all(specs.map((spec) => checkCachedModel(spec.paths, spec.sha256)));
  if (settings.offline) {
    const missing: MissingModelFile[] = [];
    for (const [i, check] of checks.entries()) {
      if (check.state !== "verified") missing.push(await offlineMissing(specs[i]!, check, settings));
    }
    if (missing.length > 0) {
      const first = missing[0]!;
      const why = `${missing.length} of its ${specs.length} files ${missing.length === 1 ? "is" : "are"} missing`;
      throw new OfflineModelMissingError(entry.name, first.expectedPath, first.url, why, missing);
    }
  }
  let downloaded = false;
  for (const [i, spec] of specs.entries()) {
    if (checks[i]!.state !== "verified" && (await fetchCachedFile(spec, settings))) downloaded = true;
  }
  const files = Object.fromEntries((entry.files ?? []).map((file, i) => [file.file, specs[i]!.paths.file]));
  return { files: { ...files, ...(await writeCarriedFiles(entry, settings.cacheDir)) }, entry, downloaded };
}

/**
 * The entry's carried files in its cache folder (file name → path), each written (atomically)
 * unless it already holds exactly the carried text: the entry is what pins them, so a file there
 * with other content is replaced, never trusted.
 */
async function writeCarriedFiles(entry: ModelEntry, cacheDir: string): Promise<Record<string, string>> {
  const written: Record<string, string> = {};
  for (const [file, text] of Object.entries(entry.carried ?? {})) {
    const path = cachedFilePaths(cacheDir, entry.name, file).file;
    // Read back only when it is a regular file of the text's size (never a large or special file).
    const info = await stat(path).catch(() => null);
    const same = info !== null && info.isFile() && info.size === Buffer.byteLength(text) && (await readFile(path, "utf8")) === text;
    if (!same) {
      await mkdir(dirname(path), { recursive: true });
      await writeFileAtomic(path, text);
    }
    written[file] = path;
  }
  return written;
}

/**
 * A registry name → its entry: built-ins, `extra` (e.g. the families' models), the registry
 * file's. An unknown name is an UnknownModelError listing the known ones.
 */
export async function registryEntry(name: string, options: HubOptions = {}, extra: readonly ModelEntry[] = []): Promise<ModelEntry> {
  const registry = await loadRegistry(hubSettings(options), extra);
  const entry = registry.get(name);
  if (!entry) throw new UnknownModelError(name, [...registry.keys()]);
  return entry;
}

/** The local files of a registry entry: a single-file entry's file under `singleFileName`. */
export async function resolveEntryFiles(entry: ModelEntry, options: HubOptions, singleFileName: string): Promise<ResolvedModelFiles> {
  const settings = hubSettings(options);
  if (entry.files) return cachedModelFiles(entry, settings);
  const single = await cachedModel(entry, settings);
  return { files: { [singleFileName]: single.path }, entry, downloaded: single.downloaded };
}

/** Like resolveModel, with what was resolved and whether it was downloaded. */
export async function resolveModelFile(nameOrPath: string, options: HubOptions = {}): Promise<ResolvedModel> {
  if (nameOrPath === "") throw new InvalidInputError("the model is an empty string; give a model name or a path");
  if (existsSync(nameOrPath)) return { path: nameOrPath, downloaded: false };
  if (isPathLike(nameOrPath)) throw new ModelNotFoundError(nameOrPath, "no such file");
  const entry = await registryEntry(nameOrPath, options);
  if (entry.files) {
    throw new InvalidInputError(`model "${nameOrPath}" is a ${entry.family ?? "multi-file"} model of ${entry.files.length} files, not one S3Tokenizer file; load it with load()`);
  }
  return cachedModel(entry, hubSettings(options));
}

/**
 * A model name or a path → the path of a local released file. A name is looked up in the
 * registry and served from the cache, downloaded first when it is not there (never offline).
 */
export async function resolveModel(nameOrPath: string, options: HubOptions = {}): Promise<string> {
  return (await resolveModelFile(nameOrPath, options)).path;
}
