/**
 * The sha256 of a released file, cheaply when it has been hashed before: from the checksum record
 * beside it (files in the cache), or from a record the cache keeps for files elsewhere (a user's
 * own path), as long as the file's size and mtime have not moved since.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { checksumRecordPath, digestsDir } from "./cacheDir.js";
import { readChecksumRecord, recordDescribes, sha256File, writeChecksumRecord } from "./checksumRecord.js";

/** Where the cache keeps the record of a file outside it: named by the hash of its absolute path. */
function outsideRecordPath(cacheDir: string, file: string): string {
  const key = createHash("sha256").update(resolve(file)).digest("hex");
  return join(digestsDir(cacheDir), `${key}.json`);
}

/**
 * Drops the records of files that are gone or changed (temporary copies, replaced files), so the
 * directory does not grow with every path ever loaded. Runs only after a file was hashed.
 */
async function pruneOutsideRecords(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.endsWith(".json")) continue;
    const recordPath = join(dir, name);
    try {
      const { path } = JSON.parse(await readFile(recordPath, "utf8")) as { path?: unknown };
      const record = await readChecksumRecord(recordPath);
      if (typeof path === "string" && record && recordDescribes(record, await stat(path))) continue;
    } catch {
      // Unreadable record or vanished file: drop it.
    }
    await rm(recordPath, { force: true });
  }
}

/**
 * The file's sha256 (lowercase hex), hashing it only when no record describes it as it is now
 * (same size and mtime): the record beside it (a cached file's), else the one the cache keeps for
 * it. After a hash the cache's record is written (best effort: where the cache cannot be written,
 * the file is simply hashed again next time). Throws when the file cannot be read.
 */
export async function recordedSha256(file: string, cacheDir: string): Promise<string> {
  const stats = await stat(file);
  const outside = outsideRecordPath(cacheDir, file);
  for (const recordPath of [checksumRecordPath(file), outside]) {
    const record = await readChecksumRecord(recordPath);
    if (record && recordDescribes(record, stats)) return record.sha256;
  }
  const sha256 = await sha256File(file);
  await mkdir(digestsDir(cacheDir), { recursive: true })
    .then(() => writeChecksumRecord(outside, file, sha256, stats, { path: resolve(file) }))
    .then(() => pruneOutsideRecords(digestsDir(cacheDir)))
    .catch(() => undefined);
  return sha256;
}

/** The file's sha256 (lowercase hex; see recordedSha256), or null when it cannot be read (its loader reports why). */
export async function releasedDigest(file: string, cacheDir: string): Promise<string | null> {
  const stats = await stat(file).catch(() => null);
  if (!stats?.isFile()) return null;
  return recordedSha256(file, cacheDir).catch(() => null);
}
