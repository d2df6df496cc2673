/**
 * The torch zip format (torch >= 1.6): `<prefix>/data.pkl` holds the object pickle, and storage
 * `key` is the entry `<prefix>/data/<key>`. The prefix is whatever name the file was saved under.
 */
import { CheckpointFormatError } from "../errors.js";
import { materialize, unpickle } from "./unpickle.js";
import { readZipEntries } from "./zipEntries.js";

/** True when `bytes` begins like a zip (a local file header). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Reads a torch zip held in `bytes` (the whole file). Returns the object tree. */
export async function readZipCheckpoint(bytes: Uint8Array, path: string): Promise<unknown> {
  const entries = await readZipEntries(bytes, path);
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new CheckpointFormatError(
      path,
      pickles.length === 0 ? "the zip holds no <name>/data.pkl entry" : `the zip holds several pickles (${pickles.join(", ")})`,
    );
  }
  const prefix = pickles[0]!.slice(0, -"data.pkl".length);
  const root = unpickle(entries.get(pickles[0]!)!, path, pickles[0]!, (pid, type) => {
    // ("storage", storage_type, key, location, numel)
    return { type, key: String(pid[2]), viewOffset: 0 };
  });
  return materialize(root, (storage) => {
    const name = `${prefix}data/${storage.key}`;
    const data = entries.get(name);
    if (data === undefined) throw new CheckpointFormatError(path, `missing data entry ${name} for a tensor storage`);
    return data;
  }, path);
}
