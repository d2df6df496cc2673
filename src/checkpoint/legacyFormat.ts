/**
 * The pre-1.6 torch.save format (torch/serialization.py, _legacy_save/_legacy_load): five pickles
 * one after the other -- the magic number, the protocol version, a sys-info dict, the object, the
 * list of storage keys -- then for each listed key its storage: an 8-byte little-endian element
 * count followed by the raw element bytes. Storage bytes stay views into the file.
 */
import { CheckpointFormatError } from "../errors.js";
import { materialize, readPickle, type PersistentLoad, type StorageRef } from "./unpickle.js";

/** 0x1950a86a20f9469cfc6c little-endian, the value of the first pickle (a 10-byte LONG1). */
const MAGIC = Uint8Array.from([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]);
const PROTO = 0x80;
const LONG1 = 0x8a;
const STOP = 0x2e;

/**
 * True when `bytes` begins with the legacy magic-number pickle (PROTO n, LONG1 of 10 bytes, STOP).
 * Checked by hand: the number is wider than the 64 bits the pickle reader accepts in an integer.
 */
export function isLegacyCheckpoint(bytes: Uint8Array): boolean {
  if (bytes.length < 15 || bytes[0] !== PROTO || bytes[2] !== LONG1 || bytes[3] !== MAGIC.length) return false;
  return MAGIC.every((b, i) => bytes[4 + i] === b) && bytes[14] === STOP;
}

function noStorages(path: string, what: string): never {
  throw new CheckpointFormatError(path, `${what} refers to a tensor storage`);
}

/** Reads a legacy checkpoint held in `bytes` (the whole file). Returns the object tree. */
export function readLegacyCheckpoint(bytes: Uint8Array, path: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = 15; // after the magic-number pickle, checked by isLegacyCheckpoint
  const next = (what: string, load: PersistentLoad): unknown => {
    const { value, end } = readPickle(bytes, position, path, what, load);
    position = end;
    return value;
  };
  const protocol = next("protocol-version pickle", () => noStorages(path, "the protocol version"));
  if (protocol !== 1001) throw new CheckpointFormatError(path, `legacy protocol version ${typeof protocol === "number" ? protocol : typeof protocol}, expected 1001`);
  next("sys-info pickle", () => noStorages(path, "the sys-info pickle"));

  // Root storages by key, with their element count from the persistent id.
  const roots = new Map<string, { ref: StorageRef; numel: number }>();
  const root = next("object pickle", (pid, type) => {
    // ("storage", storage_type, root_key, location, numel, view_metadata), checked by the unpickler
    const key = pid[2] as string;
    const numel = pid[4] as number;
    if (!roots.has(key)) roots.set(key, { ref: { type, key, numel, viewOffset: 0 }, numel });
    const view = pid[5];
    if (Array.isArray(view)) {
      // view_metadata (view_key, offset, view_size): a storage that is a slice of the root one.
      const offset = view[1];
      if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
        throw new CheckpointFormatError(path, `storage ${key}: a view whose offset is not a count of elements`);
      }
      return { type, key, numel: roots.get(key)!.numel, viewOffset: offset };
    }
    return roots.get(key)!.ref;
  });
  const keys = next("storage-key list", () => noStorages(path, "the storage-key list"));
  if (!Array.isArray(keys) || !keys.every((key): key is string => typeof key === "string")) {
    throw new CheckpointFormatError(path, "the storage-key list pickle is not a list of keys");
  }

  const data = new Map<string, Uint8Array>();
  for (const key of keys) {
    const entry = roots.get(key);
    if (entry === undefined) throw new CheckpointFormatError(path, `storage ${key} is listed but no tensor uses it`);
    if (position + 8 > bytes.length) throw new CheckpointFormatError(path, `storage ${key}: truncated before its size`);
    const count = Number(view.getBigInt64(position, true));
    const start = position + 8;
    const end = start + count * entry.ref.type.width;
    if (count !== entry.numel || end > bytes.length) {
      throw new CheckpointFormatError(
        path,
        `storage ${key}: ${count} elements recorded (the pickle says ${entry.numel}), ` +
          `${bytes.length - start} bytes left in the file (truncated or damaged)`,
      );
    }
    data.set(key, bytes.subarray(start, end));
    position = end;
  }
  return materialize(root, (storage) => {
    const found = data.get(storage.key);
    if (found === undefined) throw new CheckpointFormatError(path, `storage ${storage.key} has no data after the pickles`);
    return found;
  }, path);
}
