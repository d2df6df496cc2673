/**
 * The entries of a zip held in memory, each as a view on the zip's own bytes: the central
 * directory (zip64 included) is read from the end of the bytes, and each entry's data offset from
 * its local header, because torch stores entries uncompressed and a view there avoids copying the
 * weights. Plain DataView reads (no Node Buffer, no zlib), so the same reader serves Node and a
 * page; a deflated entry (not torch's, but legal) is inflated with the platform's
 * DecompressionStream, only when it is read, and never past the size the caller expects.
 *
 * Every size in the directory is a claim: the entry count must fit the directory's bytes, each
 * entry's data must lie inside the file, before the directory, and apart from every other entry's
 * (several records sharing one entry's bytes would multiply what a small file yields), and names
 * are unique.
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

/**
 * A deflated entry may inflate to at most this many times its compressed size once it is over
 * RATIO_FLOOR bytes. Deflate's own limit is about 1032:1 (runs of one byte), and torch's weights
 * (when a tool deflates them at all) shrink by a few percent, so 200:1 refuses only near-constant
 * data, while bounding what a file can make this reader allocate to 200 times its size.
 */
const MAX_RATIO = 200;
const RATIO_FLOOR = 1024 * 1024;

interface EntryRecord {
  name: string;
  localHeader: number;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
}

/** An entry with where its data lies in the zip. */
interface Entry extends EntryRecord {
  dataStart: number;
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

/** The central directory's records, and where the directory starts. */
function listEntries(zip: Uint8Array, view: DataView, path: string): { records: EntryRecord[]; directoryStart: number } {
  const directory = findDirectory(view, path);
  if (directory.entries * CENTRAL_HEADER_SIZE > directory.size) {
    throw damaged(path, `the central directory claims ${directory.entries} entries in ${directory.size} bytes`);
  }
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
  return { records, directoryStart: directory.offset };
}

/** Where `record`'s data starts (after its local header), checked to lie inside the file. */
function locate(zip: Uint8Array, view: DataView, record: EntryRecord, path: string): Entry {
  const header = record.localHeader;
  if (header + LOCAL_HEADER_SIZE > zip.length || view.getUint32(header, true) !== LOCAL_HEADER_SIGNATURE) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: local header missing (truncated zip)`);
  }
  // Local name and extra lengths may differ from the central directory's (torch pads the extra field).
  const dataStart = header + LOCAL_HEADER_SIZE + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  if (dataStart + record.compressedSize > zip.length) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: data runs past the end of the file (truncated zip)`);
  }
  return { ...record, dataStart };
}

/** Refuses duplicate names and entries whose header and data overlap another's or the central directory. */
function checkDisjoint(entries: readonly Entry[], directoryStart: number, path: string): void {
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw damaged(path, `the entry ${entry.name} is listed twice`);
    names.add(entry.name);
  }
  const byOffset = [...entries].sort((a, b) => a.localHeader - b.localHeader);
  for (let i = 0; i < byOffset.length; i++) {
    const entry = byOffset[i]!;
    const end = entry.dataStart + entry.compressedSize;
    const next = byOffset[i + 1];
    if (next !== undefined && end > next.localHeader) {
      throw damaged(path, `the entries ${entry.name} and ${next.name} share bytes (overlapping entries)`);
    }
    if (end > directoryStart) throw damaged(path, `the entry ${entry.name} runs into the central directory`);
  }
}

/** Inflates `data` into exactly `size` bytes; more or fewer is a damaged entry. Stops reading once past `size`. */
async function inflateRaw(data: Uint8Array, size: number, name: string, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let done = 0;
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
  try {
    for (;;) {
      const { done: finished, value } = await reader.read();
      if (finished) break;
      if (value.length > size - done) {
        throw new CheckpointFormatError(path, `zip entry ${name}: inflates past the ${size} bytes its header declares`);
      }
      out.set(value, done);
      done += value.length;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof CheckpointFormatError) throw error;
    throw new CheckpointFormatError(path, `zip entry ${name}: cannot inflate`, { cause: error });
  }
  if (done !== size) throw new CheckpointFormatError(path, `zip entry ${name}: inflates to ${done} bytes, its header declares ${size}`);
  return out;
}

/** A zip's entries by name, each read (and, when deflated, inflated) only when asked for. */
export class ZipArchive {
  private readonly entries: ReadonlyMap<string, Entry>;

  /** Lists and checks the entries of the zip in `zip` (the file `path`, named in errors). */
  constructor(
    private readonly zip: Uint8Array,
    private readonly path: string,
  ) {
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const { records, directoryStart } = listEntries(zip, view, path);
    const entries = records.map((record) => locate(zip, view, record, path));
    checkDisjoint(entries, directoryStart, path);
    this.entries = new Map(entries.map((entry) => [entry.name, entry]));
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The bytes of entry `name`: a view when stored, a new buffer when deflated. `expectedSize`,
   * when given, is what the entry must hold (a storage's element count times its width), checked
   * against the header before anything is inflated.
   */
  async read(name: string, expectedSize?: number): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new CheckpointFormatError(this.path, `the zip has no entry ${name}`);
    const fail = (problem: string): CheckpointFormatError => new CheckpointFormatError(this.path, `zip entry ${name}: ${problem}`);
    if (expectedSize !== undefined && entry.uncompressedSize !== expectedSize) {
      throw fail(`declares ${entry.uncompressedSize} bytes, but the storage it holds has ${expectedSize}`);
    }
    const stored = this.zip.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    if (entry.compressionMethod === 0) {
      if (entry.uncompressedSize !== entry.compressedSize) {
        throw fail(`stored uncompressed in ${entry.compressedSize} bytes, but declares ${entry.uncompressedSize}`);
      }
      return stored;
    }
    if (entry.compressionMethod !== 8) throw fail(`unsupported compression method ${entry.compressionMethod}`);
    if (entry.uncompressedSize > RATIO_FLOOR && entry.uncompressedSize > MAX_RATIO * entry.compressedSize) {
      throw fail(`${entry.compressedSize} bytes declared to inflate to ${entry.uncompressedSize}, more than ${MAX_RATIO} times as many (a zip bomb, not weights)`);
    }
    return inflateRaw(stored, entry.uncompressedSize, name, this.path);
  }
}
