/**
 * Writes a zip of stored (uncompressed) entries whose data starts on 64-byte boundaries, the
 * layout torch.save produces (caffe2/serialize/inline_container.cc pads each local header's extra
 * field with an "FB" record so the data can be memory-mapped and viewed in place).
 *
 * Why not a zip library: yazl (the maintained writer beside yauzl; its 3.3 entry options are
 * mtime, mode, compress, compressionLevel, forceZip64Format, forceDosTimestamp, fileComment,
 * size) offers no control of the local header's extra field, so it cannot align entry data; unaligned float32 data would defeat
 * the reader's zero-copy views (and differs from torch's own files). The stored format is
 * small: local headers, data, central directory, end record. Files over 4 GiB (zip64) are
 * refused.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import * as zlib from "node:zlib";
import { InvalidInputError } from "../errors.js";

const ALIGNMENT = 64;
const LOCAL_HEADER = 30;
const EXTRA_HEADER = 4;
const DOS_DATE_1980_01_01 = 0x0021; // a fixed timestamp keeps written files reproducible
const LIMIT = 0xffffffff;

let crcTable: Uint32Array | undefined;

/** CRC-32 of `data` continuing from `crc` (zlib.crc32 where Node has it, else a table). */
function crc32(data: Uint8Array, crc: number): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value: number) => number }).crc32;
  if (native) return native(data, crc);
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Written {
  name: Uint8Array;
  crc: number;
  size: number;
  offset: number;
}

/** A stored zip written entry by entry to `path` (entry data goes straight from the caller's views). */
export class StoredZipWriter {
  private readonly fd: number;
  private position = 0;
  private readonly written: Written[] = [];

  constructor(private readonly path: string) {
    this.fd = openSync(path, "w");
  }

  private write(bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done);
    this.position += bytes.length;
  }

  /** Adds the entry `name` whose data is the concatenation of `parts`. */
  add(name: string, parts: readonly Uint8Array[]): void {
    const nameBytes = new TextEncoder().encode(name);
    const size = parts.reduce((sum, p) => sum + p.byteLength, 0);
    const crc = parts.reduce((value, p) => crc32(p, value), 0);
    const offset = this.position;
    // Pad the extra field ("FB" record) so the data begins on an ALIGNMENT boundary.
    const unpadded = offset + LOCAL_HEADER + nameBytes.length + EXTRA_HEADER;
    const extra = EXTRA_HEADER + ((ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT);
    if (offset + LOCAL_HEADER + nameBytes.length + extra + size > LIMIT) {
      throw new InvalidInputError(`${this.path}: the checkpoint would exceed 4 GiB, which needs zip64 (not written here)`);
    }
    const header = Buffer.alloc(LOCAL_HEADER + nameBytes.length + extra);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0
    header.writeUInt16LE(0, 6); // flags
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(0, 10); // time
    header.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(size, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(extra, 28);
    header.set(nameBytes, LOCAL_HEADER);
    header.write("FB", LOCAL_HEADER + nameBytes.length, "latin1");
    header.writeUInt16LE(extra - EXTRA_HEADER, LOCAL_HEADER + nameBytes.length + 2);
    this.write(header);
    for (const part of parts) this.write(part);
    this.written.push({ name: nameBytes, crc, size, offset });
  }

  /** Writes the central directory and closes the file. */
  finish(): void {
    try {
      const start = this.position;
      for (const entry of this.written) {
        const record = Buffer.alloc(46 + entry.name.length);
        record.writeUInt32LE(0x02014b50, 0);
        record.writeUInt16LE(20, 4); // version made by
        record.writeUInt16LE(20, 6); // version needed
        record.writeUInt16LE(0, 8);
        record.writeUInt16LE(0, 10);
        record.writeUInt16LE(0, 12);
        record.writeUInt16LE(DOS_DATE_1980_01_01, 14);
        record.writeUInt32LE(entry.crc, 16);
        record.writeUInt32LE(entry.size, 20);
        record.writeUInt32LE(entry.size, 24);
        record.writeUInt16LE(entry.name.length, 28);
        // extra (30), comment (32), disk (34), attributes (36, 38): zero
        record.writeUInt32LE(entry.offset, 42);
        record.set(entry.name, 46);
        this.write(record);
      }
      const end = Buffer.alloc(22);
      end.writeUInt32LE(0x06054b50, 0);
      end.writeUInt16LE(this.written.length, 8);
      end.writeUInt16LE(this.written.length, 10);
      end.writeUInt32LE(this.position - start, 12);
      end.writeUInt32LE(start, 16);
      if (this.written.length > 0xffff || this.position > LIMIT) {
        throw new InvalidInputError(`${this.path}: too many entries or bytes for a zip without zip64`);
      }
      this.write(end);
    } finally {
      closeSync(this.fd);
    }
  }

  /** Closes the file without finishing it (after an error). */
  abort(): void {
    closeSync(this.fd);
  }
}
