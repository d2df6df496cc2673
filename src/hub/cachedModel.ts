/**
 * The state of one released file in the cache. A file is trusted without hashing when its
 * checksum record describes it (same size and mtime) and holds the registry's sha256; otherwise
 * it is hashed again, and a good file gets a fresh record.
 */
import { rm, stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import type { CachedModelPaths } from "./cacheDir.js";
import { readChecksumRecord, recordDescribes, sha256File, writeChecksumRecord } from "./checksumRecord.js";

export type CacheCheck =
  | { state: "verified"; size: number; /** false when the record vouched for it */ hashed: boolean }
  | { state: "absent" }
  | { state: "corrupt"; actual: string };

async function statFile(path: string): Promise<Stats | null> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

/** True when the record alone vouches for the file (no hashing). */
async function recordVouches(paths: CachedModelPaths, sha256: string, stats: Stats): Promise<boolean> {
  const record = await readChecksumRecord(paths.record);
  return record !== null && record.sha256 === sha256 && recordDescribes(record, stats);
}

/** Checks the cached file against `sha256`, hashing it only when its record does not vouch for it. */
export async function checkCachedModel(paths: CachedModelPaths, sha256: string): Promise<CacheCheck> {
  const stats = await statFile(paths.file);
  if (!stats) return { state: "absent" };
  if (await recordVouches(paths, sha256, stats)) return { state: "verified", size: stats.size, hashed: false };
  const actual = await sha256File(paths.file);
  if (actual !== sha256) return { state: "corrupt", actual };
  // Best effort: a read-only cache still serves verified files, it just hashes them every time.
  await writeChecksumRecord(paths.record, paths.file, actual, stats).catch(() => undefined);
  return { state: "verified", size: stats.size, hashed: true };
}

/** Removes a cached file and its record. */
export async function removeCachedModel(paths: CachedModelPaths): Promise<void> {
  await rm(paths.file, { force: true });
  await rm(paths.record, { force: true });
}

export type CacheState =
  | { state: "absent" }
  | { state: "cached"; size: number; /** its checksum record vouches for it */ verified: boolean }
  | { state: "partial"; size: number };

/** What the cache holds for one model, without hashing anything (for listings). */
export async function inspectCachedModel(paths: CachedModelPaths, sha256: string): Promise<CacheState> {
  const stats = await statFile(paths.file);
  if (stats) return { state: "cached", size: stats.size, verified: await recordVouches(paths, sha256, stats) };
  const partial = await statFile(paths.partial);
  if (partial) return { state: "partial", size: partial.size };
  return { state: "absent" };
}
