/**
 * sha256 of files, and the checksum records kept beside cached files so a later start can trust
 * a file without hashing it again: a record holds the digest and the size and mtime the file had
 * when it was hashed. A file whose size or mtime moved since is hashed again.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream, type Stats } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { writeFileAtomic } from "./atomicWrite.js";

export interface ChecksumRecord {
  /** Lowercase hex. */
  sha256: string;
  size: number;
  mtimeMs: number;
}

/** Feeds the file's bytes into `hash`, streaming (the file is never held whole in memory). */
export async function hashFileInto(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await hashFileInto(hash, path);
  return hash.digest("hex");
}

/** The record at `recordPath`, or null when it is absent or not a record. */
export async function readChecksumRecord(recordPath: string): Promise<ChecksumRecord | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(recordPath, "utf8"));
  } catch {
    return null;
  }
  const { sha256, size, mtimeMs } = (parsed ?? {}) as Partial<Record<keyof ChecksumRecord, unknown>>;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) return null;
  if (typeof size !== "number" || typeof mtimeMs !== "number") return null;
  return { sha256, size, mtimeMs };
}

/** True when the record was made of the file as it is now (same size and mtime). */
export function recordDescribes(record: ChecksumRecord, stats: Stats): boolean {
  return record.size === stats.size && record.mtimeMs === stats.mtimeMs;
}

/**
 * Records `sha256` as the digest of `file`. `hashed` are the file's stats from before it was
 * hashed: when the file has changed since (replaced, rewritten), nothing is recorded.
 */
export async function writeChecksumRecord(
  recordPath: string,
  file: string,
  sha256: string,
  hashed?: Stats,
  extra: Record<string, unknown> = {},
): Promise<ChecksumRecord | null> {
  const stats = await stat(file);
  const record: ChecksumRecord = { sha256, size: stats.size, mtimeMs: stats.mtimeMs };
  if (hashed && !(recordDescribes(record, hashed) && stats.ino === hashed.ino)) return null;
  await writeFileAtomic(recordPath, JSON.stringify({ ...record, ...extra }) + "\n");
  return record;
}
