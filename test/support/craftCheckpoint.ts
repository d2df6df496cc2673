/**
 * Hand-made checkpoints for tests: torch zips and legacy files assembled from pickles written
 * opcode by opcode (src/checkpoint/pickleWriter.ts), with storages given as raw bytes. No
 * Python is involved.
 */
import { writeFileSync } from "node:fs";
import { PickleWriter } from "../../src/checkpoint/pickleWriter.js";
import { StoredZipWriter } from "../../src/checkpoint/storedZip.js";

/** A torch zip `<prefix>/data.pkl` + `<prefix>/data/<key>` per storage (+ version), as given. */
export function writeCraftedZip(path: string, pickle: Uint8Array, storages: Record<string, Uint8Array>, prefix = "archive"): void {
  const zip = new StoredZipWriter(path);
  zip.add(`${prefix}/data.pkl`, [pickle]);
  for (const [key, bytes] of Object.entries(storages)) zip.add(`${prefix}/data/${key}`, [bytes]);
  zip.add(`${prefix}/version`, [new TextEncoder().encode("3\n")]);
  zip.finish();
}

/** 0x1950a86a20f9469cfc6c, the legacy format's magic number (torch/serialization.py). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/**
 * A legacy (pre-1.6) torch.save file: magic, protocol 1001, sys info, `objectPickle`, the storage
 * keys, then each storage as an int64 element count and its bytes. `counts` overrides the
 * recorded element count (to craft damaged files).
 */
export function writeCraftedLegacy(
  path: string,
  objectPickle: Uint8Array,
  storages: { key: string; width: number; bytes: Uint8Array; count?: number }[],
): void {
  const plain = (value: unknown): Uint8Array => new PickleWriter().proto(2).value(value).stop().bytes();
  const parts: Uint8Array[] = [
    new PickleWriter().proto(2).int(LEGACY_MAGIC).stop().bytes(),
    plain(1001),
    plain(new Map<string, unknown>([["protocol_version", 1001], ["little_endian", true]])),
    objectPickle,
    plain(storages.map((s) => s.key)),
  ];
  for (const s of storages) {
    const count = Buffer.alloc(8);
    count.writeBigInt64LE(BigInt(s.count ?? s.bytes.byteLength / s.width));
    parts.push(count, s.bytes);
  }
  writeFileSync(path, Buffer.concat(parts));
}
