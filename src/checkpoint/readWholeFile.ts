/**
 * A whole file in one Buffer. fs.readFile refuses files over 2 GiB, and released checkpoints
 * reach that (Whisper large is 2.9 GB), so the file is read in chunks into one allocation; the
 * Buffer limit (4 GiB on Node 20, more on later versions) is the only bound.
 */
import { constants } from "node:buffer";
import { open } from "node:fs/promises";
import { CheckpointFormatError } from "../errors.js";

const CHUNK = 256 * 1024 * 1024;

export async function readWholeFile(path: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new CheckpointFormatError(path, `cannot read the file (${(error as Error).message})`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > constants.MAX_LENGTH) {
      throw new CheckpointFormatError(path, `${size} bytes is more than this Node.js can hold in one buffer (${constants.MAX_LENGTH})`);
    }
    const bytes = Buffer.allocUnsafeSlow(size); // not from the shared pool: tensors keep views into it
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, Math.min(CHUNK, size - done), done);
      if (bytesRead === 0) throw new CheckpointFormatError(path, `the file shrank while being read (${done} of ${size} bytes)`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}
