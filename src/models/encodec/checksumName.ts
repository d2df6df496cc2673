/**
 * Upstream's file-name checksum: a release is named `<name>-<hex>.th`, and _get_pretrained checks
 * that the file's sha256 starts with <hex> before loading it. Done here over the bytes already
 * read (Web Crypto: Node and the page alike), so a damaged or swapped file is refused as upstream
 * refuses it.
 */
import { EncodecChecksumPrefixError } from "./errors.js";

/** The hex digits after the name's last "-", when the name has upstream's form. */
export function checksumPrefixOf(path: string): string | null {
  return /-([0-9a-f]+)\.th$/.exec(path.slice(path.lastIndexOf("/") + 1))?.[1] ?? null;
}

/** Throws EncodecChecksumPrefixError when the name carries a prefix that the bytes' sha256 does not start with. */
export async function checkChecksumName(path: string, bytes: Uint8Array): Promise<void> {
  const prefix = checksumPrefixOf(path);
  if (prefix === null) return;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  const actual = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (!actual.startsWith(prefix)) throw new EncodecChecksumPrefixError(path, prefix, actual);
}
