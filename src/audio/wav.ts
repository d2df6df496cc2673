/** Reading a WAV file from disk; the RIFF/WAVE parsing is wavParse.ts's. */
import { readFile } from "node:fs/promises";
import { AudioDecodeError } from "../errors.js";
import { describeReadError, parseWav, type DecodedWav } from "./wavParse.js";

export * from "./wavParse.js";

/** Read and decode a WAV file: channel 0 as float32, plus the file's rate and channel count. */
export async function readWav(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AudioDecodeError(path, describeReadError(error), { cause: error });
  }
  return parseWav(bytes, path);
}
