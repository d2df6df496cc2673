/**
 * WAV files read in pieces: the chunk walk reads only chunk headers (positioned reads), then the
 * data chunk is read CHUNK_BYTES at a time and channel 0 of each piece is decoded (the others
 * when the consumer asks, before the next piece is read). Memory stays at
 * one piece however long the file is. The decoding is wav.ts's, so results equal readWav's.
 */
import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { AudioDecodeError } from "../errors.js";
import type { AudioSource, DecodedBlock } from "./source.js";
import { decodeFirstChannel, describeReadError, locateWavData, otherChannelsAt } from "./wav.js";

/** Bytes per read: large enough that syscalls cost nothing, small next to any audio file. */
const CHUNK_BYTES = 1 << 20;

/** Open the WAV data of an already opened file of `size` bytes as a stream of channel-0 blocks. */
export function wavFileSource(handle: FileHandle, size: number, source: string): AudioSource {
  const layout = locateWavData(
    size,
    (at, length) => {
      const buffer = Buffer.alloc(length);
      try {
        return buffer.subarray(0, readSync(handle.fd, buffer, 0, length, at));
      } catch (error) {
        throw new AudioDecodeError(source, describeReadError(error), { cause: error });
      }
    },
    source,
  );
  const { format, dataAt, frames } = layout;
  const framesPerRead = Math.max(1, Math.floor(CHUNK_BYTES / format.blockAlign));

  async function* blocks(): AsyncGenerator<DecodedBlock> {
    const buffer = Buffer.alloc(framesPerRead * format.blockAlign);
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (frames === 0) {
      yield { samples: new Float32Array(0), sampleRate: format.sampleRate, channels: format.channels };
      return;
    }
    for (let done = 0; done < frames; ) {
      const count = Math.min(framesPerRead, frames - done);
      const bytes = count * format.blockAlign;
      const position = dataAt + done * format.blockAlign;
      const { bytesRead } = await handle.read(buffer, 0, bytes, position);
      if (bytesRead < bytes) {
        // The size was checked when the walk began: the file shrank while it was being read.
        throw new AudioDecodeError(source, `file ended at byte ${position + bytesRead}, its data chunk runs to byte ${dataAt + layout.dataBytes}`);
      }
      const block: DecodedBlock = { samples: decodeFirstChannel(view, 0, count, format), sampleRate: format.sampleRate, channels: format.channels };
      const others = otherChannelsAt(view, 0, count, format);
      if (others !== undefined) block.otherChannels = others;
      yield block;
      done += count;
    }
  }
  return { totalFrames: frames, blocks: blocks() };
}
