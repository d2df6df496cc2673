/**
 * A whole checkpoint file in one Buffer. fs.readFile refuses files over 2 GiB, and released
 * checkpoints reach that (Whisper large is 2.9 GB), so the file is read in chunks into one
 * allocation; the Buffer limit (4 GiB on Node 20, more on later versions) is the only bound. The
 * path must be a regular file: a folder, FIFO or device is refused at once (openRegularFile), as
 * a FIFO would wait for a writer forever and /dev/zero never ends.
 */
import { constants } from "node:buffer";
import { close, read } from "node:fs";
import { promisify } from "node:util";
import { CheckpointFormatError } from "../errors.js";
import { openRegularFile } from "../files/regularFile.js";

const CHUNK = 256 * 1024 * 1024;
const readAt = promisify(read);
const closeFd = promisify(close);

export async function readWholeFile(path: string): Promise<Buffer> {
  const { fd, size } = openRegularFile(
    path,
    (problem, cause) => new CheckpointFormatError(path, problem, cause === undefined ? {} : { cause }),
    { subject: "the file", expected: "a checkpoint file" },
  );
  try {
    if (size > constants.MAX_LENGTH) {
      throw new CheckpointFormatError(path, `${size} bytes is more than this Node.js can hold in one buffer (${constants.MAX_LENGTH})`);
    }
    const bytes = Buffer.allocUnsafeSlow(size); // not from the shared pool: tensors keep views into it
    let done = 0;
    while (done < size) {
      const { bytesRead } = await readAt(fd, bytes, done, Math.min(CHUNK, size - done), done);
      if (bytesRead === 0) throw new CheckpointFormatError(path, `the file shrank while being read (${done} of ${size} bytes)`);
      done += bytesRead;
    }
    return bytes;
  } finally {
    await closeFd(fd);
  }
}
