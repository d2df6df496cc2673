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

/** One entry of a hand-assembled zip: its data as stored in the file, and what its headers claim. */
export interface RawZipEntry {
  name: string;
  /** The bytes after the local header (deflated data when method is 8). */
  data: Uint8Array;
  /** 0 stored, 8 deflated (default 0). */
  method?: 0 | 8;
  /** The uncompressed size the headers declare (default: data's length). */
  size?: number;
  /** No data of its own: the central record points at this earlier entry's local header. */
  sameDataAs?: string;
}

/**
 * A zip written field by field, for headers no writer would produce: deflated entries with any
 * declared size, several central records on one entry's data. CRCs are left 0 (the reader under
 * test does not check them).
 */
export function writeRawZip(path: string, entries: readonly RawZipEntry[]): void {
  const parts: Buffer[] = [];
  const offsets = new Map<string, number>();
  let position = 0;
  for (const entry of entries) {
    if (entry.sameDataAs !== undefined) continue;
    const name = Buffer.from(entry.name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(entry.method ?? 0, 8);
    header.writeUInt32LE(entry.data.length, 18);
    header.writeUInt32LE(entry.size ?? entry.data.length, 22);
    header.writeUInt16LE(name.length, 26);
    offsets.set(entry.name, position);
    parts.push(header, name, Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength));
    position += header.length + name.length + entry.data.length;
  }
  const directoryStart = position;
  for (const entry of entries) {
    const source = entries.find((e) => e.name === (entry.sameDataAs ?? entry.name))!;
    const name = Buffer.from(entry.name);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(source.method ?? 0, 10);
    record.writeUInt32LE(source.data.length, 20);
    record.writeUInt32LE(source.size ?? source.data.length, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offsets.get(source.name)!, 42);
    parts.push(record, name);
    position += record.length + name.length;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(position - directoryStart, 12);
  end.writeUInt32LE(directoryStart, 16);
  parts.push(end);
  writeFileSync(path, Buffer.concat(parts));
}
