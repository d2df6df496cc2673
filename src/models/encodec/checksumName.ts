/**
 * Upstream's file-name checksum: a release is named `<name>-<hex>.th`, and _get_pretrained checks
 * that the file's sha256 starts with <hex> before loading it. Done here over the bytes already
 * read, so a damaged or swapped file is refused as upstream refuses it.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { EncodecChecksumPrefixError } from "./errors.js";

/** The hex digits after the name's last "-", when the name has upstream's form. */
export function checksumPrefixOf(path: string): string | null {
  return /-([0-9a-f]+)\.th$/.exec(basename(path))?.[1] ?? null;
}

/** Throws EncodecChecksumPrefixError when the name carries a prefix that the bytes' sha256 does not start with. */
export function checkChecksumName(path: string, bytes: Uint8Array): void {
  const prefix = checksumPrefixOf(path);
  if (prefix === null) return;
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (!actual.startsWith(prefix)) throw new EncodecChecksumPrefixError(path, prefix, actual);
}
