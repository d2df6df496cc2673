/**
 * A decoded audio stream as the readers hand it over: channel 0 in blocks, in order, at the file's
 * own rate. Decoding and resampling consume it block by block, so a long file never has to be in
 * memory at its original rate.
 */
import type { DecodedBlock } from "./codecs/codec.js";

export type { DecodedBlock };

export interface AudioSource {
  /** Channel-0 frames in the whole stream when the header says (WAV); null when only decoding tells. */
  totalFrames: number | null;
  /** The blocks; a WAV stream with no frames still yields one empty block, to carry its rate. */
  blocks: AsyncIterable<DecodedBlock>;
}
