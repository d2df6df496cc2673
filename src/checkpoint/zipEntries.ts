/**
 * The entries of a zip held in memory, each as a view on the zip's own bytes: the central
 * directory (zip64 included) is read from the end of the bytes, and each entry's data offset from
 * its local header, because torch stores entries uncompressed and a view there avoids copying the
 * weights. Plain DataView reads (no Node Buffer, no zlib), so the same reader serves Node and a
 * page; a deflated entry (not torch's, but legal) is inflated with the platform's
 * DecompressionStream.
 */
import { CheckpointFormatError } from "../errors.js";

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const CENTRAL_HEADER_SIZE = 46;
const END_SIGNATURE = 0x06054b50;
const END_SIZE = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_END_SIGNATURE = 0x06064b50;
/** Extra field id of the zip64 sizes and offset. */
const ZIP64_EXTRA = 0x0001;
/** The end record sits within its size plus the longest comment (65535 bytes) of the end. */
const END_SEARCH = END_SIZE + 0xffff;

/** Entry name -> its bytes (a view into `zip` when stored, a new buffer when deflated). */
export type ZipEntries = ReadonlyMap<string, Uint8Array>;

interface EntryRecord {
  name: string;
  localHeader: number;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
}

/** Where the central directory is and how many entries it lists. */
interface Directory {
  offset: number;
  size: number;
  entries: number;
}

function damaged(path: string, reason: string): CheckpointFormatError {
  return new CheckpointFormatError(path, `damaged or truncated zip: ${reason}`);
}

/** A 64-bit little-endian count that must fit a JavaScript number (it is a byte offset or size). */
function uint64(view: DataView, at: number, path: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged(path, `a zip64 field holds ${value}`);
  return Number(value);
}

/** The end-of-central-directory record, then the zip64 one when the plain fields are saturated. */
function findDirectory(view: DataView, path: string): Directory {
  let end = -1;
  for (let at = view.byteLength - END_SIZE; at >= Math.max(0, view.byteLength - END_SEARCH); at--) {
    if (view.getUint32(at, true) === END_SIGNATURE) {
      end = at;
      break;
    }
  }
  if (end < 0) throw damaged(path, "no end of central directory record");
  let directory: Directory = { entries: view.getUint16(end + 10, true), size: view.getUint32(end + 12, true), offset: view.getUint32(end + 16, true) };
  const locator = end - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
    const record = uint64(view, locator + 8, path);
    if (record + 56 > view.byteLength || view.getUint32(record, true) !== ZIP64_END_SIGNATURE) throw damaged(path, "the zip64 end record is missing");
    directory = { entries: uint64(view, record + 32, path), size: uint64(view, record + 40, path), offset: uint64(view, record + 48, path) };
  }
  if (directory.offset + directory.size > view.byteLength) throw damaged(path, "the central directory runs past the end of the file");
  return directory;
}

/** Sizes and offset from the zip64 extra field, for the fields the header saturates (0xffffffff). */
function applyZip64(view: DataView, extraStart: number, extraEnd: number, record: EntryRecord, path: string): void {
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      const next = (): number => {
        if (field + 8 > at + 4 + length) throw damaged(path, `entry ${record.name}: its zip64 field is short`);
        const value = uint64(view, field, path);
        field += 8;
        return value;
      };
      // The order is fixed; only the saturated fields are present.
      if (record.uncompressedSize === 0xffffffff) record.uncompressedSize = next();
      if (record.compressedSize === 0xffffffff) record.compressedSize = next();
      if (record.localHeader === 0xffffffff) record.localHeader = next();
      return;
    }
    at += 4 + length;
  }
}

function listEntries(zip: Uint8Array, path: string): EntryRecord[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const directory = findDirectory(view, path);
  const decoder = new TextDecoder();
  const records: EntryRecord[] = [];
  let at = directory.offset;
  for (let i = 0; i < directory.entries; i++) {
    if (at + CENTRAL_HEADER_SIZE > zip.length || view.getUint32(at, true) !== CENTRAL_HEADER_SIGNATURE) {
      throw damaged(path, `central directory entry ${i} is missing`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameStart = at + CENTRAL_HEADER_SIZE;
    if (nameStart + nameLength + extraLength > zip.length) throw damaged(path, `central directory entry ${i} runs past the end of the file`);
    const record: EntryRecord = {
      name: decoder.decode(zip.subarray(nameStart, nameStart + nameLength)),
      compressionMethod: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeader: view.getUint32(at + 42, true),
    };
    applyZip64(view, nameStart + nameLength, nameStart + nameLength + extraLength, record, path);
    records.push(record);
    at = nameStart + nameLength + extraLength + commentLength;
  }
  return records;
}

async function inflateRaw(data: Uint8Array, name: string, path: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new CheckpointFormatError(path, `zip entry ${name}: cannot inflate`, { cause: error });
  }
}

async function entryBytes(zip: Uint8Array, view: DataView, record: EntryRecord, path: string): Promise<Uint8Array> {
  const header = record.localHeader;
  if (header + LOCAL_HEADER_SIZE > zip.length || view.getUint32(header, true) !== LOCAL_HEADER_SIGNATURE) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: local header missing (truncated zip)`);
  }
  // Local name and extra lengths may differ from the central directory's (torch pads the extra field).
  const start = header + LOCAL_HEADER_SIZE + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + record.compressedSize;
  if (end > zip.length) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: data runs past the end of the file (truncated zip)`);
  }
  const stored = zip.subarray(start, end);
  if (record.compressionMethod === 0) return stored;
  if (record.compressionMethod !== 8) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: unsupported compression method ${record.compressionMethod}`);
  }
  return inflateRaw(stored, record.name, path);
}

/** Every entry of the zip in `zip` (the file `path`, named in errors). */
export async function readZipEntries(zip: Uint8Array, path: string): Promise<ZipEntries> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const entries = new Map<string, Uint8Array>();
  for (const record of listEntries(zip, path)) entries.set(record.name, await entryBytes(zip, view, record, path));
  return entries;
}
