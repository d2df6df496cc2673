/** The models the registry knows, with what the cache holds of each (nothing is hashed). */
import { cachedModelPaths } from "./cacheDir.js";
import { inspectCachedModel, type CacheState } from "./cachedModel.js";
import { hubSettings, type HubOptions } from "./options.js";
import { loadRegistry, type ModelEntry } from "./registry.js";

export interface ModelListing extends ModelEntry {
  /** Where the cached file is, or will be. */
  cachePath: string;
  cache: CacheState;
}

export async function listModels(options: HubOptions = {}): Promise<ModelListing[]> {
  const settings = hubSettings(options);
  const registry = await loadRegistry(settings);
  return Promise.all(
    [...registry.values()].map(async (entry) => {
      const paths = cachedModelPaths(settings.cacheDir, entry.name);
      return { ...entry, cachePath: paths.file, cache: await inspectCachedModel(paths, entry.sha256) };
    }),
  );
}
