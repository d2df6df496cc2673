/** The models the registry knows, with what the cache holds of each (nothing is hashed). */
import { join } from "node:path";
import { cachedFilePaths, cachedModelPaths } from "./cacheDir.js";
import { inspectCachedModel, type CacheState } from "./cachedModel.js";
import { hubSettings, type HubOptions } from "./options.js";
import type { ModelEntry } from "./registry.js";
import { loadRegistry } from "./registryFile.js";

export interface ModelListing extends ModelEntry {
  /** Where the cached file is, or will be. */
  cachePath: string;
  cache: CacheState;
}

/**
 * Every model the registry knows: the built-ins, `extra` (the families' models) and the registry
 * file's. A multi-file model's cachePath is its folder; it counts as cached when every file is.
 */
export async function listModels(options: HubOptions = {}, extra: readonly ModelEntry[] = []): Promise<ModelListing[]> {
  const settings = hubSettings(options);
  const registry = await loadRegistry(settings, extra);
  return Promise.all(
    [...registry.values()].map(async (entry) => {
      if (!entry.files) {
        const paths = cachedModelPaths(settings.cacheDir, entry.name);
        return { ...entry, cachePath: paths.file, cache: await inspectCachedModel(paths, entry.sha256) };
      }
      const states = await Promise.all(
        entry.files.map((file) => inspectCachedModel(cachedFilePaths(settings.cacheDir, entry.name, file.file), file.sha256)),
      );
      return { ...entry, cachePath: join(settings.cacheDir, entry.name), cache: combined(states) };
    }),
  );
}

/** One state for a model's files: cached when all are, partial when any part is there. */
function combined(states: readonly CacheState[]): CacheState {
  const size = states.reduce((sum, s) => sum + (s.state === "absent" ? 0 : s.size), 0);
  if (states.every((s) => s.state === "cached")) return { state: "cached", size, verified: states.every((s) => s.state === "cached" && s.verified) };
  return states.some((s) => s.state !== "absent") ? { state: "partial", size } : { state: "absent" };
}
