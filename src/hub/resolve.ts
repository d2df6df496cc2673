/**
 * A model argument → a local released file. A path is used as it is; a registry name is served
 * from the cache, downloaded into it first when needed (online), or reported precisely missing
 * (offline).
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { sep } from "node:path";
import {
  DownloadError,
  InvalidInputError,
  ModelNotFoundError,
  OfflineModelMissingError,
  S3TokenizerError,
  UnknownModelError,
} from "../errors.js";
import { cachedModelPaths } from "./cacheDir.js";
import { checkCachedModel, removeCachedModel } from "./cachedModel.js";
import { writeChecksumRecord } from "./checksumRecord.js";
import { downloadFile } from "./download.js";
import { withFileLock } from "./fileLock.js";
import { hubSettings, type HubOptions, type HubSettings } from "./options.js";
import { loadRegistry, type ModelEntry } from "./registry.js";

export interface ResolvedModel {
  /** The local released file. */
  path: string;
  /** The registry entry, when a name was resolved. */
  entry?: ModelEntry;
  /** True when this call downloaded the file. */
  downloaded: boolean;
}

/** An argument that can only mean a file: it has a directory part or the .onnx extension. */
function isPathLike(value: string): boolean {
  return value.includes("/") || value.includes(sep) || value.endsWith(".onnx");
}

function note(settings: HubSettings, message: string): void {
  if (settings.download.progress) process.stderr.write(`s3tokenizer: ${message}\n`);
}

/** The verified cached file of `entry`, downloaded under the file's lock when needed. */
async function cachedModel(entry: ModelEntry, settings: HubSettings): Promise<ResolvedModel> {
  const paths = cachedModelPaths(settings.cacheDir, entry.name);
  const found = await checkCachedModel(paths, entry.sha256);
  if (found.state === "verified") return { path: paths.file, entry, downloaded: false };

  if (settings.offline) {
    if (found.state === "corrupt") {
      await removeCachedModel(paths);
      throw new OfflineModelMissingError(entry.name, paths.file, entry.url,
        `the cached copy failed its sha256 check (expected ${entry.sha256}, got ${found.actual}) and was removed`);
    }
    throw new OfflineModelMissingError(entry.name, paths.file, entry.url, `it is not in the cache ${settings.cacheDir}`);
  }

  try {
    await mkdir(settings.cacheDir, { recursive: true });
    return await fetchUnderLock(entry, settings);
  } catch (error) {
    if (error instanceof S3TokenizerError) throw error;
    // The cache directory or its lock cannot be created (permissions, read-only, full disk).
    throw new DownloadError(entry.url, `cannot use the cache ${settings.cacheDir}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Checks again and downloads, holding the file's lock: one process per machine fetches. */
async function fetchUnderLock(entry: ModelEntry, settings: HubSettings): Promise<ResolvedModel> {
  const paths = cachedModelPaths(settings.cacheDir, entry.name);
  const lock = {
    pollMs: settings.download.lockPollMs,
    onWait: () => note(settings, `waiting for another process to finish fetching ${entry.name}`),
  };
  return withFileLock(paths.file, lock, async (lost) => {
    // Whoever held the lock before us may have fetched it meanwhile.
    const check = await checkCachedModel(paths, entry.sha256);
    if (check.state === "verified") return { path: paths.file, entry, downloaded: false };
    if (check.state === "corrupt") {
      note(settings, `${paths.file} failed its sha256 check (got ${check.actual}); fetching it again`);
      await removeCachedModel(paths);
    }
    await downloadFile({
      url: entry.url,
      dest: paths.file,
      partial: paths.partial,
      sha256: entry.sha256,
      label: entry.name,
      options: settings.download,
      signal: lost,
    });
    await writeChecksumRecord(paths.record, paths.file, entry.sha256);
    return { path: paths.file, entry, downloaded: true };
  });
}

/** Like resolveModel, with what was resolved and whether it was downloaded. */
export async function resolveModelFile(nameOrPath: string, options: HubOptions = {}): Promise<ResolvedModel> {
  if (nameOrPath === "") throw new InvalidInputError("the model is an empty string; give a model name or a path");
  if (existsSync(nameOrPath)) return { path: nameOrPath, downloaded: false };
  if (isPathLike(nameOrPath)) throw new ModelNotFoundError(nameOrPath, "no such file");
  const settings = hubSettings(options);
  const registry = await loadRegistry(settings);
  const entry = registry.get(nameOrPath);
  if (!entry) throw new UnknownModelError(nameOrPath, [...registry.keys()]);
  return cachedModel(entry, settings);
}

/**
 * A model name or a path → the path of a local released file. A name is looked up in the
 * registry and served from the cache, downloaded first when it is not there (never offline).
 */
export async function resolveModel(nameOrPath: string, options: HubOptions = {}): Promise<string> {
  return (await resolveModelFile(nameOrPath, options)).path;
}
