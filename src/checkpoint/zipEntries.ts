/**
 * The entries of a zip held in memory, each as a view on the zip's own bytes. yauzl reads the
 * central directory (zip64 included); the data offset comes from each entry's local header,
 * because torch stores entries uncompressed and a view there avoids copying the weights.
 */
import { inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import { CheckpointFormatError } from "../errors.js";

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_SIZE = 30;

/** Entry name -> its bytes (a view into `zip` when stored, a new buffer when deflated). */
export type ZipEntries = ReadonlyMap<string, Uint8Array>;

interface EntryRecord {
  name: string;
  localHeader: number;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
}

function listEntries(zip: Buffer, path: string): Promise<EntryRecord[]> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void =>
      reject(new CheckpointFormatError(path, `damaged or truncated zip: ${error.message}`, { cause: error }));
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: false }, (error, zipfile) => {
      if (error || !zipfile) {
        fail(error ?? new Error("no zip"));
        return;
      }
      const records: EntryRecord[] = [];
      zipfile.on("entry", (entry: yauzl.Entry) => {
        records.push({
          name: entry.fileName,
          localHeader: entry.relativeOffsetOfLocalHeader,
          compressedSize: entry.compressedSize,
          uncompressedSize: entry.uncompressedSize,
          compressionMethod: entry.compressionMethod,
        });
        zipfile.readEntry();
      });
      zipfile.on("end", () => resolve(records));
      zipfile.on("error", fail);
      zipfile.readEntry();
    });
  });
}

function entryBytes(zip: Buffer, record: EntryRecord, path: string): Uint8Array {
  const header = record.localHeader;
  if (header + LOCAL_HEADER_SIZE > zip.length || zip.readUInt32LE(header) !== LOCAL_HEADER_SIGNATURE) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: local header missing (truncated zip)`);
  }
  // Local name and extra lengths may differ from the central directory's (torch pads the extra field).
  const start = header + LOCAL_HEADER_SIZE + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  const end = start + record.compressedSize;
  if (end > zip.length) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: data runs past the end of the file (truncated zip)`);
  }
  const stored = zip.subarray(start, end);
  if (record.compressionMethod === 0) return stored;
  if (record.compressionMethod !== 8) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: unsupported compression method ${record.compressionMethod}`);
  }
  try {
    return inflateRawSync(stored);
  } catch (error) {
    throw new CheckpointFormatError(path, `zip entry ${record.name}: cannot inflate`, { cause: error });
  }
}

/** Every entry of the zip in `zip` (the file `path`, named in errors). */
export async function readZipEntries(zip: Buffer, path: string): Promise<ZipEntries> {
  const entries = new Map<string, Uint8Array>();
  for (const record of await listEntries(zip, path)) entries.set(record.name, entryBytes(zip, record, path));
  return entries;
}
