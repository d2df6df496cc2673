/**
 * The torch zip format (torch >= 1.6): `<prefix>/data.pkl` holds the object pickle, and storage
 * `key` is the entry `<prefix>/data/<key>`. The prefix is whatever name the file was saved under.
 * Only the pickle and the storages it names are read: other entries are never inflated.
 */
import { CheckpointFormatError } from "../errors.js";
import { materialize, unpickle, type StorageRef } from "./unpickle.js";
import { ZipArchive } from "./zipEntries.js";

/** True when `bytes` begins like a zip (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Reads a torch zip held in `bytes` (the whole file). Returns the object tree. */
export async function readZipCheckpoint(bytes: Uint8Array, path: string): Promise<unknown> {
  const zip = new ZipArchive(bytes, path);
  const pickles = zip.names().filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new CheckpointFormatError(
      path,
      pickles.length === 0 ? "the zip holds no <name>/data.pkl entry" : `the zip holds several pickles (${pickles.join(", ")})`,
    );
  }
  const prefix = pickles[0]!.slice(0, -"data.pkl".length);
  // Each storage named, by key: its element type and count fix the bytes its entry must hold.
  const named = new Map<string, StorageRef>();
  const root = unpickle(await zip.read(pickles[0]!), path, pickles[0]!, (pid, type) => {
    // ("storage", storage_type, key, location, numel), checked by the unpickler
    const ref: StorageRef = { type, key: pid[2] as string, numel: pid[4] as number, viewOffset: 0 };
    const earlier = named.get(ref.key);
    if (earlier !== undefined && (earlier.type !== type || earlier.numel !== ref.numel)) {
      throw new CheckpointFormatError(path, `storage ${ref.key} is named as ${earlier.numel} ${earlier.type.name} elements and as ${ref.numel} ${type.name}`);
    }
    named.set(ref.key, ref);
    return ref;
  });
  const data = new Map<string, Uint8Array>();
  for (const ref of named.values()) {
    const name = `${prefix}data/${ref.key}`;
    if (!zip.has(name)) throw new CheckpointFormatError(path, `missing data entry ${name} for a tensor storage`);
    data.set(ref.key, await zip.read(name, ref.numel * ref.type.width));
  }
  return materialize(root, (storage) => data.get(storage.key)!, path);
}
